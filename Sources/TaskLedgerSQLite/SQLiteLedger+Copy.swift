import GRDB
import TaskLedgerCore

extension SQLiteLedger: LedgerRowSource {
    package func rows(of table: String, columns: [String], after: LedgerValue, limit: Int) throws -> [[LedgerValue]] {
        try read { db in
            let quoted = columns.map { "\"\($0)\"" }
            let key: DatabaseValue? = after == .null ? nil : after.databaseValue
            var condition = key == nil ? "" : "WHERE \(quoted[0]) > ?"
            var order = quoted[0]
            if table == "task_state_snapshot" {
                // Keyed by task_key, with no index on task: paged in key order, after the key
                // of the last page's last task.
                order = "task_key"
                if key != nil {
                    condition = "WHERE task_key > \(TaskKeyStatements.key(ofTaskAt: 1))"
                }
            }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(quoted.joined(separator: ", ")) FROM \"\(table)\" \(condition) ORDER BY \(order) LIMIT ?",
                arguments: StatementArguments(key.map { [$0, limit.databaseValue] } ?? [limit.databaseValue]))
            var page: [[LedgerValue]] = []
            while let row = try rows.next() {
                page.append(row.databaseValues.map(LedgerValue.init))
            }
            return page
        }
    }
}
