/**
 * Whether a connection is inside an explicit transaction after running some SQL, judged from the
 * statements' leading keywords. The engines use it only to skip work that would fail inside a
 * transaction (a CHECKPOINT, a ROLLBACK at close), so a misjudgement (a `;` inside a string)
 * costs at most one refused, harmless statement.
 *
 * @module
 */

/**
 * The transaction state after `sql` ran on a connection that was in state `inTransaction`.
 *
 * @param sql The SQL text that ran.
 * @param inTransaction Whether an explicit transaction was open before.
 * @returns Whether one is open after.
 *
 * @example
 * ```ts
 * import { transactionOpenAfter } from "./_transaction_state.ts";
 * if (!transactionOpenAfter("BEGIN; INSERT INTO t VALUES (1)", false)) throw new Error();
 * if (transactionOpenAfter("UPDATE s SET n = 1; COMMIT", true)) throw new Error();
 * ```
 */
export function transactionOpenAfter(sql: string, inTransaction: boolean): boolean {
  for (const statement of sql.split(";")) {
    const head = statement.trimStart().slice(0, 24).toUpperCase();
    if (/^(BEGIN|START\s+TRANSACTION)\b/.test(head)) inTransaction = true;
    else if (/^(COMMIT|END|ROLLBACK|ABORT)\b/.test(head)) inTransaction = false;
  }
  return inTransaction;
}
