import GRDB
import TaskLedgerCore

extension SQLiteLedger: LedgerRowSource {
    package func rows(of table: String, columns: [String], after: LedgerValue, limit: Int) throws -> [[LedgerValue]] {
        try read { db in
            let quoted = columns.map { "\"\($0)\"" }
            let key: DatabaseValue? = after == .null ? nil : after.databaseValue
            let condition = key == nil ? "" : "WHERE \(quoted[0]) > ?"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(quoted.joined(separator: ", ")) FROM \"\(table)\" \(condition) ORDER BY \(quoted[0]) LIMIT ?",
                arguments: StatementArguments(key.map { [$0, limit.databaseValue] } ?? [limit.databaseValue]))
            var page: [[LedgerValue]] = []
            while let row = try rows.next() {
                page.append(row.databaseValues.map(LedgerValue.init))
            }
            return page
        }
    }
}
