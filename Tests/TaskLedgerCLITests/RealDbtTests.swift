import Foundation
import TaskLedgerTestSupport
import Testing

/// The `dbt` profile on the logs of a real `dbt build --log-format json` (dbt-core with
/// dbt-duckdb): the project in Tests/RealSystems/dbt/project is built twice, two "nights" with
/// two invocation ids, and both nights' logs go into one ledger. Every node of dbt's own
/// `run_results.json` must be a task `<invocation_id>/<unique_id>` of outcomes.csv with the state
/// that matches dbt's status, and nothing may be a violation.
///
/// Needs `dbt` on PATH: `.ci/run` installs it (`pip install 'dbt-core<1.12' dbt-duckdb`). Without
/// it these tests fail; they do not skip.
@Suite("dbt: a real dbt build's JSON logs against its run_results.json", .serialized)
struct RealDbtTests {
    /// dbt's node status → the state the task must end in (outcomes.csv `state`).
    static let expectedState: [String: String] = [
        "success": "SUCCEEDED",  // a model, seed or snapshot built
        "pass": "SUCCEEDED",  // a data test found no failing row
        "warn": "SUCCEEDED",  // a test with severity warn found rows: dbt carries on, the run is not failed by it
        "error": "FAILED",  // a model whose SQL failed
        "fail": "FAILED",  // a data test found failing rows
        "skipped": "CANCELLED",  // never ran: something upstream failed
    ]

    @Test func stdoutLogsOfTwoNightsMatchRunResults() throws {
        let nights = try Self.nights.get()
        try checkImport(of: nights.map(\.stdoutLog), against: nights)
    }

    /// The file log dbt writes next to stdout (`--log-path`) is JSON too and at debug level: it
    /// adds NodeStart/NodeFinished and the per-query lines of every node (the shape of the published
    /// dbt logs in ../shared/real-logs). The outcomes must be the same.
    @Test func debugFileLogsOfTwoNightsMatchRunResults() throws {
        let nights = try Self.nights.get()
        try checkImport(of: nights.map(\.fileLog), against: nights)
    }

    // MARK: - Comparing task-ledger's reports with run_results.json

    func checkImport(of logs: [String], against nights: [Night]) throws {
        let dir = try TempDirectory()
        let reports = dir.path("reports")
        let result = try CLI.run(["import", "--db", dir.path("ledger.sqlite"), "--profile", "dbt", "--now", "latest", "--report-dir", reports] + logs)
        try #require(result.status == 0, "task-ledger import --profile dbt exited \(result.status): \(result.stderr)")
        // Two nights, two invocations: the same model is a new task every night.
        try #require(Set(nights.map(\.invocationID)).count == nights.count, "the nights share an invocation id")

        var expected: [String: String] = [:]
        for night in nights {
            for (uniqueID, status) in night.results {
                let state = try #require(Self.expectedState[status], "dbt status '\(status)' of \(uniqueID) has no expected state: add it to RealDbtTests.expectedState")
                expected["\(night.invocationID)/\(uniqueID)"] = state
            }
        }
        let outcomes = try Self.csv(reports + "/outcomes.csv")
        var actual: [String: String] = [:]
        for row in outcomes { actual[row["task", default: ""]] = row["state", default: ""] }
        for (task, state) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(actual[task] == state, "\(task): outcomes.csv has \(actual[task] ?? "no such task"), dbt says \(state)")
        }
        for task in actual.keys.sorted() where expected[task] == nil {
            Issue.record("outcomes.csv has \(task) (\(actual[task]!)), which is not in run_results.json")
        }

        let violations = try Self.csv(reports + "/violations.csv")
        #expect(violations.isEmpty, "violations.csv: \(violations.prefix(10))")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reports + "/summary.json"))) as? [String: Any])
        #expect(summary["tasks"] as? Int == expected.count, "summary.json tasks \(summary["tasks"] ?? "none"), run_results.json has \(expected.count)")
        #expect(summary["open"] as? Int == 0, "summary.json: \(summary["open"] ?? "none") tasks left open")
        #expect(summary["rejects"] as? Int == 0, "summary.json: \(summary["rejects"] ?? "none") rejected lines")
        #expect(summary["violations_total"] as? Int == 0)
    }

    /// The rows of a report CSV (RFC 4180, header row) as column → value.
    static func csv(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, chars = Array(text), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    // MARK: - Two real dbt builds, run once for the suite

    struct Night: Sendable {
        var stdoutLog: String
        var fileLog: String
        var invocationID: String
        /// run_results.json `results[]`: unique_id → status.
        var results: [String: String]
    }

    struct DbtError: Error, CustomStringConvertible {
        var description: String
    }

    static let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RealSystems/dbt/project").path

    static let install = "`.ci/run` installs it; by hand: pip install 'dbt-core<1.12' dbt-duckdb"

    /// One `dbt build` may take this long (about 12 s on a quiet 2-core machine).
    static let timeout: TimeInterval = 300

    /// The directory lives until the test process exits: both tests read the nights' files.
    static let nights: Result<[Night], DbtError> = Result {
        let dir = try TempDirectory.untilExit()
        return try (1...2).map { try build(night: $0, in: dir) }
    }.mapError { $0 as? DbtError ?? DbtError(description: "\($0)") }

    /// Runs `dbt build --log-format json` once; its stdout is the night's JSONL log.
    static func build(night: Int, in dir: TempDirectory) throws -> Night {
        guard let dbt = executable("dbt") else {
            throw DbtError(description: "dbt is not on PATH: \(install)")
        }
        let target = dir.path("target"), logs = dir.path("logs-\(night)")
        let stdoutLog = dir.path("night\(night).jsonl"), stderrLog = dir.path("night\(night).stderr")
        _ = FileManager.default.createFile(atPath: stdoutLog, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrLog, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dbt)
        // One target dir for both nights, as a nightly job has (night 2 parses partially);
        // run_results.json is read before the next night overwrites it.
        process.arguments = [
            "build", "--log-format", "json", "--no-version-check", "--no-send-anonymous-usage-stats",
            "--project-dir", project, "--profiles-dir", project, "--target-path", target, "--log-path", logs,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["TASK_LEDGER_DBT_DB"] = dir.path("warehouse.duckdb")
        environment["DO_NOT_TRACK"] = "1"
        process.environment = environment
        process.currentDirectoryURL = dir.url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutLog))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrLog))
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 10)
            throw DbtError(description: "dbt build (night \(night)) did not finish within \(Int(timeout)) s")
        }
        let stderr = (try? String(contentsOfFile: stderrLog, encoding: .utf8)) ?? ""
        // A pyenv shim without dbt behind it exits 127.
        if process.terminationStatus == 127 {
            throw DbtError(description: "dbt could not be run (\(stderr)): \(install)")
        }
        // 1: the build ran and some nodes failed, as this project's do on purpose.
        guard process.terminationStatus == 1 else {
            let tail = ((try? String(contentsOfFile: stdoutLog, encoding: .utf8)) ?? "").suffix(2000)
            throw DbtError(description: "dbt build (night \(night)) exited \(process.terminationStatus), expected 1: \(stderr)\n\(tail)")
        }
        let results = try Data(contentsOf: URL(fileURLWithPath: target + "/run_results.json"))
        try results.write(to: URL(fileURLWithPath: dir.path("run_results-\(night).json")))
        guard let json = try JSONSerialization.jsonObject(with: results) as? [String: Any],
            let invocationID = (json["metadata"] as? [String: Any])?["invocation_id"] as? String,
            let list = json["results"] as? [[String: Any]]
        else { throw DbtError(description: "run_results.json of night \(night): no metadata.invocation_id or results") }
        var byNode: [String: String] = [:]
        for result in list {
            guard let id = result["unique_id"] as? String, let status = result["status"] as? String else {
                throw DbtError(description: "run_results.json of night \(night): a result without unique_id or status")
            }
            byNode[id] = status
        }
        // The project has 9 nodes; a run that lost some would make the comparison vacuous.
        guard byNode.count == 9, Set(byNode.values) == Set(expectedState.keys) else {
            throw DbtError(description: "night \(night): run_results.json has \(byNode), expected 9 nodes covering \(expectedState.keys.sorted())")
        }
        return Night(stdoutLog: stdoutLog, fileLog: logs + "/dbt.log", invocationID: invocationID, results: byNode)
    }

    /// The first executable `name` on PATH.
    /// `name` on PATH, else beside the `python3` on PATH (a pip-installed console script whose
    /// pyenv shim was never made: `python3 -m pip` does not always rehash).
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import os, sys; print(os.path.dirname(os.path.realpath(sys.executable)))"]
        let out = Pipe()
        python.standardOutput = out
        python.standardError = FileHandle.nullDevice
        guard (try? python.run()) != nil else { return nil }
        let bin = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        python.waitUntilExit()
        let beside = "\(bin)/\(name)"
        return !bin.isEmpty && FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }
}
