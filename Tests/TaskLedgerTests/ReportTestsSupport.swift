import Foundation
import TaskLedgerTestSupport
import GRDB

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

/// 2026-11-24T10:00:00.000Z
let t0: Int64 = 1_795_514_400_000

/// A fresh ledger in its own temp directory (removed when the tests end).
func makeLedger() throws -> SQLiteLedger {
    try SQLiteLedger(path: TempDirectory.untilExit().path("test.ledger"))
}

/// Records events and rejects as an import of `file` would, in one transaction.
func importLines(
    _ ledger: SQLiteLedger, file: String,
    events: [(line: Int, event: StatusEvent)] = [],
    rejects: [(line: Int, reject: LineReject)] = []
) throws {
    try ledger.writeTransaction { db in
        let recorder = try EventRecorder(db: db, rules: ledger.rules)
        for (line, event) in events {
            try recorder.record(PreparedEvent(event, rules: ledger.rules), origin: EventOrigin(file: file, line: line))
        }
        for (line, reject) in rejects {
            try recorder.reject(reject, origin: EventOrigin(file: file, line: line), raw: "raw")
        }
        try recorder.flush()
    }
}

/// The hand-made ledger whose report files are written out by hand in `ReportTests`.
func smallLedger() throws -> SQLiteLedger {
    let ledger = try makeLedger()
    try ledger.write(StatusEvent(task: "a", state: "RECEIVED", timestamp: t0, actor: "w1"))
    try ledger.write(StatusEvent(task: "a", state: "running", timestamp: t0 + 1500, actor: "w2", source: "ci", stage: "build"))
    try ledger.write(StatusEvent(task: "a", state: "done", timestamp: t0 + 12_345, actor: "w3", source: "ci", stage: "deploy"))
    try ledger.write(StatusEvent(task: "a", state: "RUNNING", timestamp: t0 + 20_000))
    try ledger.write(StatusEvent(task: "b", state: "RUNNING", timestamp: t0))
    try ledger.write(StatusEvent(task: "b", state: "QUEUED", timestamp: t0 + 1000))
    try ledger.write(StatusEvent(task: "b", state: "Foo", timestamp: t0 + 2000))
    try ledger.write(StatusEvent(task: "b", state: "RUNNING", timestamp: t0 + 500))
    try ledger.write(StatusEvent(task: "b", state: "FAILED", timestamp: t0 + 3000))
    try ledger.write(StatusEvent(task: "c", state: "QUEUED", timestamp: t0, actor: "w1"))
    try ledger.write(StatusEvent(task: "cc", state: "QUEUED", timestamp: t0))
    try ledger.write(StatusEvent(task: "d", state: "QUEUED", timestamp: t0 + 600_000))
    try ledger.write(StatusEvent(task: "a", state: "RECEIVED", timestamp: t0, actor: "w1"))
    try importLines(
        ledger, file: "in.jsonl",
        events: [
            (3, StatusEvent(task: "e", state: "RECEIVED", timestamp: t0 - 1000)),
            (10, StatusEvent(task: "e", state: "SUCCEEDED", timestamp: t0 + 5000, id: "e-2")),
        ],
        rejects: [(2, LineReject(kind: .malformed, message: "not JSON"))])
    try importLines(
        ledger, file: "a.jsonl",
        rejects: [(7, LineReject(kind: .missingField, message: "no state", task: "x"))])
    return ledger
}

/// Task ids that break naive CSV, Markdown, HTML, spreadsheets or mermaid.
let hostileIDs = [
    "a,b", "q\"uote\"", "new\nline", "cr\r\nlf", "pi|pe", "<script>alert(1)</script>", "=1+1",
    "+plus", "-minus", "@at", "\ttab", "🚀 emoji é", "back\\slash", "*star* _under_", "[link](x)",
    "`tick`", "$x$", "&amp;", "# head", "  spaced  ",
]

/// Each hostile id gets an illegal first event and an open QUEUED one (stale at t0 + 1h);
/// `id/done` runs to SUCCEEDED with the id as actor.
func hostileLedger() throws -> SQLiteLedger {
    let ledger = try makeLedger()
    for id in hostileIDs {
        try ledger.write(StatusEvent(task: id, state: "RUNNING", timestamp: t0))
        try ledger.write(StatusEvent(task: id, state: "QUEUED", timestamp: t0))
        try ledger.write(StatusEvent(task: id + "/done", state: "QUEUED", timestamp: t0, actor: id))
        try ledger.write(StatusEvent(task: id + "/done", state: "RUNNING", timestamp: t0 + 1, actor: id))
        try ledger.write(StatusEvent(task: id + "/done", state: "SUCCEEDED", timestamp: t0 + 1001, actor: id, stage: id))
    }
    return ledger
}

/// A fresh directory for report files (removed when the tests end).
func tempDirectory() throws -> String {
    try TempDirectory.untilExit().url.path
}

/// The package's root directory: fixtures/, reports/, Tests/*.py are under it, ../shared beside it.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A ledger holding the fixtures, imported as the README's first command imports them but by
/// absolute path (so its violations name the files by absolute path).
func fixturesLedger() throws -> Ledger {
    let ledger = try Ledger(try TempDirectory.untilExit().path("fixtures.sqlite"))
    for file in ["fixtures/events.jsonl", "fixtures/nightly.jsonl.gz"] {
        _ = try ledger.importFile(packageRoot.appendingPathComponent(file).path)
    }
    return ledger
}

/// Runs a program found on PATH (a real consumer of the reports: python3, xmllint); its exit
/// status, standard output and standard error. Standard error goes through a file so that a
/// chatty program cannot fill one pipe while we wait on the other.
func runTool(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let errorPath = try TempDirectory.untilExit().path("stderr")
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    defer { try? errors.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = errors
    try process.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let message = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
    return (process.terminationStatus, output, message)
}
