console.log("reads")
