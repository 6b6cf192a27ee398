import Foundation
import TaskLedgerTestSupport
import Testing

/// The events of a real Celery worker, captured once per test process by
/// Tests/RealSystems/celery/celery_capture.py (redis-server on loopback, a prefork worker with
/// events on, one task per lifecycle: success, failure, retries, revokes, a hard time limit, a
/// Reject, a chain, a group), then imported with `--profile celery` by the real binary and
/// compared, task by task, with Celery's own final word (`AsyncResult.state`).
///
/// Needs python3 with `pip install 'celery[redis]'` and Debian's `redis-server`; `.ci/run`
/// installs both. Without them these tests fail, saying so: they do not skip.
/// `TASK_LEDGER_KEEP_CELERY_CAPTURE=DIR` keeps the capture in DIR for a look afterwards.
@Suite("celery: a real worker's events, real processes")
struct RealCeleryTests {
    /// Celery's final states → the ledger's. Celery 5.7 ends a `Reject(requeue=False)` as
    /// FAILURE (its `task-failed` comes before `task-rejected`); a revoke, running or waiting,
    /// is REVOKED. Any other state (PENDING, STARTED, RETRY, REJECTED) means the capture did
    /// not see the task finish, and fails the comparison.
    static let ledgerState = ["SUCCESS": "SUCCEEDED", "FAILURE": "FAILED", "REVOKED": "CANCELLED"]

    /// What Celery itself said each scenario ended as, in every capture made so far.
    static let celeryState = [
        "success": "SUCCESS", "failure": "FAILURE", "retry_then_succeed": "SUCCESS", "retry_exhausted": "FAILURE",
        "revoked_waiting": "REVOKED", "revoked_running": "REVOKED", "time_limit": "FAILURE", "reject": "FAILURE",
        "chain_1": "SUCCESS", "chain_2": "SUCCESS", "chain_3": "SUCCESS",
        "group_1": "SUCCESS", "group_2": "SUCCESS", "group_3": "SUCCESS",
    ]

    @Test func celeryEndsEachScenarioAsItDidWhenObserved() throws {
        let capture = try CeleryCapture.shared.get()
        #expect(capture.tasks.values.map(\.scenario).sorted() == Self.celeryState.keys.sorted())
        for (uuid, task) in capture.tasks {
            #expect(task.state == Self.celeryState[task.scenario], "\(task.scenario) \(uuid): Celery says \(task.state)")
        }
    }

    @Test func everyTaskEndsInTheLedgerAsCeleryEndedIt() throws {
        let capture = try CeleryCapture.shared.get()
        let dir = try TempDirectory()
        let reports = try Reports.importing(capture.lines, in: dir)
        let outcomes = Dictionary(reports.outcomes.map { ($0["task"]!, $0) }) { first, _ in first }
        for (uuid, task) in capture.tasks.sorted(by: { $0.key < $1.key }) {
            let expected = Self.ledgerState[task.state]
            #expect(expected != nil, "\(task.scenario) \(uuid): Celery's state \(task.state) is not a final state")
            let outcome = outcomes[uuid]
            #expect(outcome?["state"] == expected,
                    "\(task.scenario) \(uuid): Celery says \(task.state), the ledger \(outcome?["state"] ?? "nothing (not in outcomes.csv)")")
            // Every line of the task is in task_events, applied or flagged (none is a duplicate).
            #expect(outcome?["events"] == String(capture.lines(of: uuid).count), "\(task.scenario) \(uuid): events")
            #expect(outcome?["actor"]?.hasPrefix("capture@") == true, "\(task.scenario) \(uuid): actor \(outcome?["actor"] ?? "")")
            #expect(outcome?["source"] == "celery")
        }
        #expect(Set(outcomes.keys) == Set(capture.tasks.keys), "outcomes.csv holds other tasks than Celery ran")
        #expect(reports.stale.isEmpty, "stale.csv: \(reports.stale)")
    }

    /// A normal run of a real worker is not a violation: repeated terminal events (a hard time
    /// limit's two task-failed, a Reject's task-failed then task-rejected), a retry's task-sent
    /// and task-received before its task-retried, and the few milliseconds by which the worker's
    /// buffered events trail a pool child's are all what Celery does.
    @Test func aNormalRunHasNoViolations() throws {
        let capture = try CeleryCapture.shared.get()
        let dir = try TempDirectory()
        let reports = try Reports.importing(capture.lines, in: dir)
        let described = reports.violations.map { row in
            let scenario = capture.tasks[row["task"] ?? ""]?.scenario ?? "?"
            return "line \(row["line"]!) \(scenario): \(row["kind"]!) \(row["from_state"]!) → \(row["to_state"]!) (\(row["message"]!))"
        }
        #expect(reports.violations.count == 0, "violations.csv on a normal Celery run:\n\(described.joined(separator: "\n"))")
    }

    /// The capture cut anywhere into two files, imported one after the other, gives the verdicts
    /// of the whole (the partial-observation choice is made on the first event a ledger sees).
    @Test(arguments: [[] as [String], ["--partial", "accept"]])
    func theCaptureInTwoHalvesGivesTheVerdictsOfTheWhole(extra: [String]) throws {
        let capture = try CeleryCapture.shared.get()
        let dir = try TempDirectory()
        func verdicts(_ parts: [ArraySlice<String>], _ name: String) throws -> String {
            let db = dir.path("\(name).sqlite")
            for (n, part) in parts.enumerated() {
                let file = try dir.write("\(name)-\(n).jsonl", part.map { $0 + "\n" }.joined())
                let result = try CLI.run(["import", "--db", db, "--profile", "celery", "--quiet"] + extra + [file])
                #expect(result.status == 0, "\(result.stderr)")
            }
            let history = try CLI.run(["report", "--db", db, "--profile", "celery", "--now", "latest", "--out", dir.path("\(name)-R")] + extra)
            #expect(history.status == 0, "\(history.stderr)")
            // outcomes.csv and stale.csv are the verdicts' consequences; violations.csv names the files.
            return try ["outcomes.csv", "stale.csv"].map { try String(contentsOfFile: dir.path("\(name)-R/\($0)"), encoding: .utf8) }
                .joined() + (try String(contentsOfFile: dir.path("\(name)-R/summary.json"), encoding: .utf8))
                .split(separator: "\n").filter { !$0.contains("\"ledger\"") }.joined(separator: "\n")
        }
        let whole = try verdicts([capture.lines[...]], "whole")
        for cut in [1, capture.lines.count / 3, capture.lines.count / 2, capture.lines.count - 1] {
            #expect(try verdicts([capture.lines[..<cut], capture.lines[cut...]], "cut\(cut)") == whole, "cut at line \(cut)")
        }
    }

    // Real anomalies: real captured lines, altered, duplicated or misplaced.

    @Test func aSuccessAfterAFailureIsAfterTerminal() throws {
        let capture = try CeleryCapture.shared.get()
        let failed = try capture.uuid(of: "failure"), succeeded = try capture.uuid(of: "success")
        var lines = capture.lines(of: failed)
        let failure = try #require(lines.last.map(JSONLine.init))
        #expect(failure.type == "task-failed")
        var success = try #require(capture.lines(of: succeeded).map(JSONLine.init).first { $0.type == "task-succeeded" })
        success.object["uuid"] = failed
        success.object["timestamp"] = failure.timestamp + 0.005
        lines.append(try success.text())
        let dir = try TempDirectory()
        let reports = try Reports.importing(lines, in: dir)
        #expect(reports.violations.map(Self.brief) == ["\(lines.count) \(failed) after_terminal FAILED→SUCCEEDED"])
        #expect(reports.outcomes.map { $0["state"]! } == ["FAILED"])
    }

    @Test func aTaskStartedThatWasNeverSentOrReceivedIsIllegal() throws {
        let capture = try CeleryCapture.shared.get()
        var started = try #require(capture.lines(of: try capture.uuid(of: "success")).map(JSONLine.init).first { $0.type == "task-started" })
        let stranger = UUID().uuidString.lowercased()
        started.object["uuid"] = stranger
        let dir = try TempDirectory()
        let reports = try Reports.importing([try started.text()], in: dir)
        #expect(reports.violations.map(Self.brief) == ["1 \(stranger) illegal_transition →RUNNING"])
        #expect(reports.outcomes.isEmpty)
        #expect(reports.stale.isEmpty)
    }

    /// The same line again, right after itself or (a late redelivery) after the task ended.
    @Test(arguments: [false, true])
    func theSameLineTwiceIsADuplicate(late: Bool) throws {
        let capture = try CeleryCapture.shared.get()
        let uuid = try capture.uuid(of: "success")
        var lines = capture.lines(of: uuid)
        let index = try #require(lines.firstIndex { JSONLine($0).type == (late ? "task-received" : "task-started") })
        lines.insert(lines[index], at: late ? lines.count : index + 1)
        let dir = try TempDirectory()
        let reports = try Reports.importing(lines, in: dir)
        let from = late ? "SUCCEEDED" : "RUNNING", to = late ? "RECEIVED" : "RUNNING"
        #expect(reports.violations.map(Self.brief) == ["\(late ? lines.count : index + 2) \(uuid) duplicate \(from)→\(to)"])
        #expect(reports.outcomes.map { [$0["state"]!, $0["events"]!] } == [["SUCCEEDED", String(lines.count - 1)]])
    }

    /// The client's task-sent arriving after the worker ran and reported the task (seen under
    /// load): an echo of the task's start, applied and changing nothing.
    @Test func aTaskSentAfterTheTaskEndedIsAnEcho() throws {
        let capture = try CeleryCapture.shared.get()
        let uuid = try capture.uuid(of: "success")
        var lines = capture.lines(of: uuid)
        let sent = try #require(lines.firstIndex { JSONLine($0).type == "task-sent" })
        lines.append(lines.remove(at: sent))
        let reports = try Reports.importing(lines, in: try TempDirectory())
        #expect(reports.violations.isEmpty, "\(reports.violations.map(Self.brief))")
        #expect(reports.outcomes.map { [$0["state"]!, $0["events"]!] } == [["SUCCEEDED", String(lines.count)]])
    }

    /// The client's task-sent arriving while the worker runs the task (seen under load:
    /// received, started, sent, succeeded): the success that follows is no violation.
    @Test func aTaskSentWhileTheTaskRunsIsNoViolation() throws {
        let capture = try CeleryCapture.shared.get()
        let uuid = try capture.uuid(of: "success")
        var lines = capture.lines(of: uuid)
        let sent = lines.remove(at: try #require(lines.firstIndex { JSONLine($0).type == "task-sent" }))
        lines.insert(sent, at: try #require(lines.firstIndex { JSONLine($0).type == "task-succeeded" }))
        let reports = try Reports.importing(lines, in: try TempDirectory())
        #expect(reports.violations.isEmpty, "\(reports.violations.map(Self.brief))")
        #expect(reports.outcomes.map { [$0["state"]!, $0["events"]!] } == [["SUCCEEDED", String(lines.count)]])
    }

    static func brief(_ row: [String: String]) -> String {
        "\(row["line"]!) \(row["task"]!) \(row["kind"]!) \(row["from_state"]!)→\(row["to_state"]!)"
    }
}

/// One capture of a real Celery worker, made the first time a test asks for it and shared by all.
struct CeleryCapture: Sendable {
    struct CeleryTask: Sendable {
        var state: String  // AsyncResult.state at the end
        var name: String
        var scenario: String
    }

    let directory: TempDirectory
    let lines: [String]  // events.jsonl, as captured
    let tasks: [String: CeleryTask]  // results.json: uuid → Celery's own word
    let seconds: Double

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RealSystems/celery/celery_capture.py").path
    static let timeout: Double = 150  // the script bounds each of its own waits; this bounds it

    static let shared: Result<CeleryCapture, any Error> = Result { try run() }

    func lines(of uuid: String) -> [String] { lines.filter { JSONLine($0).object["uuid"] as? String == uuid } }

    func uuid(of scenario: String) throws -> String {
        try #require(tasks.first { $0.value.scenario == scenario }?.key, "no \(scenario) task in results.json")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run() throws -> CeleryCapture {
        let directory = try TempDirectory.untilExit()
        let out = directory.path("capture")
        let needs = "needs python3 with celery[redis] (`pip install 'celery[redis]'`) and Debian's redis-server on PATH (`apt-get install redis-server`); .ci/run installs both"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, out]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let start = Date()
        do { try process.run() } catch { throw Failure(description: "the Celery capture could not start python3 (\(error)): it \(needs)") }
        nonisolated(unsafe) var errData = Data()
        let read = DispatchGroup()
        read.enter()
        DispatchQueue.global().async {
            errData = errors.fileHandleForReading.readDataToEndOfFile()
            read.leave()
        }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()  // the script stops its worker and redis on SIGTERM
            if exited.wait(timeout: .now() + 30) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        read.wait()
        let seconds = Date().timeIntervalSince(start)
        // TASK_LEDGER_KEEP_CELERY_CAPTURE=DIR keeps this capture (events.jsonl, results.json, worker.log).
        if let keep = ProcessInfo.processInfo.environment["TASK_LEDGER_KEEP_CELERY_CAPTURE"], !keep.isEmpty {
            try? FileManager.default.removeItem(atPath: keep)
            try? FileManager.default.copyItem(atPath: out, toPath: keep)
        }
        let said = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut {
            throw Failure(description: "the Celery capture (\(script)) did not end within \(Int(timeout)) s: \(said)")
        }
        guard process.terminationStatus == 0 else {
            throw Failure(description: "the Celery capture exited \(process.terminationStatus) after \(String(format: "%.1f", seconds)) s; it \(needs). It said: \(said)")
        }
        let text = try String(contentsOfFile: out + "/events.jsonl", encoding: .utf8)
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as? [String: [String: Any]] ?? [:]
        let tasks = results.mapValues {
            CeleryTask(state: $0["state"] as? String ?? "?", name: $0["name"] as? String ?? "?", scenario: $0["scenario"] as? String ?? "?")
        }
        print("celery capture: \(tasks.count) tasks in \(String(format: "%.1f", seconds)) s (\(said))")
        return CeleryCapture(directory: directory, lines: text.split(separator: "\n").map(String.init), tasks: tasks, seconds: seconds)
    }
}

/// A captured line as a JSON object, to alter and write back.
struct JSONLine {
    var object: [String: Any]

    init(_ line: String) {
        object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    var type: String? { object["type"] as? String }
    var timestamp: Double { object["timestamp"] as? Double ?? 0 }

    func text() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// The CSV reports of one `import --profile celery --now latest --report-dir` of some lines.
struct Reports {
    var outcomes: [[String: String]]
    var violations: [[String: String]]
    var stale: [[String: String]]

    static func importing(_ lines: [String], in dir: TempDirectory) throws -> Reports {
        let events = try dir.write("events.jsonl", lines.map { $0 + "\n" }.joined())
        let result = try CLI.run([
            "import", "--db", dir.path("celery.sqlite"), "--profile", "celery", "--now", "latest",
            "--report-dir", dir.path("R"), events,
        ])
        #expect(result.status == 0, "import: \(result.stdout)\(result.stderr)")
        let read = { (name: String) in try csvRows(String(contentsOfFile: dir.path("R/\(name)"), encoding: .utf8)) }
        return Reports(outcomes: try read("outcomes.csv"), violations: try read("violations.csv"), stale: try read("stale.csv"))
    }

    /// RFC 4180 rows (header first) as dictionaries keyed by the header.
    static func csvRows(_ text: String) -> [[String: String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, afterQuote = false
        for ch in text {
            if quoted {
                if ch == "\"" { quoted = false; afterQuote = true } else { field.append(ch) }
                continue
            }
            switch ch {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(ch)
            }
            afterQuote = false
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}
