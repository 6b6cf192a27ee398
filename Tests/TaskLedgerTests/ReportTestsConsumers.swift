import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// Real consumers read the report files of the hostile ledger: Python's csv, the sqlite3 CLI,
/// DuckDB and markdown-it-py (see Tests/report_consumers.py; needs `pip install duckdb markdown-it-py`).
@Suite struct ReportTestsConsumers {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("report_consumers.py").path

    @Test(arguments: [false, true])
    func consumersReadHostileValuesExactly(excelSafe: Bool) throws {
        let ledger = try hostileLedger()
        let directory = try tempDirectory()
        try ledger.report(ReportOptions(now: t0 + 3_600_000, excelSafe: excelSafe)).write(to: directory)
        let cell = { (id: String) in excelSafe && "=+-@\t\r".contains(id.first!) ? "'" + id : id }
        let n = hostileIDs.count
        let expectations: [String: Any] = [
            "csv": [
                "outcomes.csv": ["rows": n, "column": "task", "values": hostileIDs.map { cell($0 + "/done") }],
                "violations.csv": ["rows": n, "column": "task", "values": hostileIDs.map(cell)],
                "stale.csv": ["rows": n, "column": "task", "values": hostileIDs.map(cell)],
            ],
            // headline, outcomes by state, violation kinds, illegal_transition examples, stale
            "md_table_rows": [1, 4, 9, n, n],
            // markdown-it strips a cell's surrounding spaces; line breaks become spaces.
            "md_cells": hostileIDs.map {
                $0.replacingOccurrences(of: "\r\n", with: "  ").replacingOccurrences(of: "\n", with: " ")
                    .replacingOccurrences(of: "\t", with: " ").trimmingCharacters(in: .whitespaces)
            },
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: expectations), as: UTF8.self)
        let run = try runTool(["python3", Self.script, directory, json])
        #expect(run.status == 0, "\(run.stderr)")
    }
}
