import "./style.css"; console.log("reads");
