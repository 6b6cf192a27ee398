import GRDB
import TaskLedgerCore

extension SQLiteLedger: LedgerRowSource {
    package func rows(of table: String, columns: [String], after: LedgerValue, limit: Int) throws -> [[LedgerValue]] {
        try read { db in
            let quoted = columns.map { "\"\($0)\"" }
            let key: DatabaseValue? = switch after {
                case .null: nil
                case .integer(let n): n.databaseValue
                case .text(let s): s.databaseValue
            }
            let condition = key == nil ? "" : "WHERE \(quoted[0]) > ?"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(quoted.joined(separator: ", ")) FROM \"\(table)\" \(condition) ORDER BY \(quoted[0]) LIMIT ?",
                arguments: StatementArguments(key.map { [$0, limit.databaseValue] } ?? [limit.databaseValue]))
            var page: [[LedgerValue]] = []
            while let row = try rows.next() {
                page.append(row.databaseValues.map { value in
                    switch value.storage {
                    case .null: .null
                    case .int64(let n): .integer(n)
                    case .double(let d): .text(String(d))
                    case .string(let s): .text(s)
                    case .blob(let b): .text(String(decoding: b, as: UTF8.self))
                    }
                })
            }
            return page
        }
    }
}
