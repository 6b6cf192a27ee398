import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("Hostile input through the real binary: bounded memory, specific errors")
struct HostileInputCLITests {
    /// Runs `task-ledger ARGS` under GNU time; returns the result and the peak RSS in MB.
    func runMeasured(_ arguments: [String]) throws -> (CLI.Result, Double) {
        let script = "exec /usr/bin/time -f 'peak-rss-kb %M' \"$0\" \"$@\""
        let r = try CLI.run(["-c", script, CLI.binary.path] + arguments, shell: true)
        let kb = r.stderr.split(separator: "\n").last { $0.hasPrefix("peak-rss-kb ") }
            .flatMap { Double($0.dropFirst("peak-rss-kb ".count)) } ?? .infinity
        return (r, kb / 1024)
    }

    func rows(_ db: String, _ sql: String) throws -> [Row] {
        try DatabaseQueue(path: db).read { try Row.fetchAll($0, sql: sql) }
    }

    @Test func aFiftyMegabyteLineIsRejectedWithBoundedMemory() throws {
        let dir = try TempDirectory()
        let file = dir.path("huge.jsonl")
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.write(contentsOf: Data((#"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z"}"# + "\n").utf8))
        try handle.write(contentsOf: Data(#"{"task":"b","state":"QUEUED","ts":"2026-11-24T10:00:00Z","detail":""#.utf8))
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data(("\"}\n" + #"{"task":"a","state":"RUNNING","ts":"2026-11-24T10:01:00Z"}"# + "\n").utf8))
        try handle.close()
        let db = dir.path("l.sqlite")
        let (r, peakMB) = try runMeasured(["import", "--db", db, "--quiet", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(peakMB < 100, "peak RSS \(peakMB) MB for a 50 MB line")
        let rejects = try rows(db, "SELECT line, kind, message, length(raw) FROM import_rejects")
        #expect(rejects.count == 1)
        #expect(rejects.first?[0] == 2)
        #expect(rejects.first?[1] == "malformed")
        #expect((rejects.first?[2] as String?)?.hasPrefix("line too long: 52428") == true)
        #expect(rejects.first?[3] == 1024)
        #expect(try rows(db, "SELECT state FROM task_state_snapshot WHERE task = 'a'").first?[0] == "RUNNING")
    }

    @Test func aGzipBombStaysStreamingAndBounded() throws {
        let dir = try TempDirectory()
        let bomb = dir.path("bomb.jsonl.gz")
        // 256 MiB of zero bytes (one endless line) compress about 1000:1.
        let made = try CLI.run(["-c", "head -c 268435456 /dev/zero | gzip -9 > \"$0\"", bomb], shell: true)
        try #require(made.status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: bomb)[.size] as! Int
        #expect(268_435_456 / size > 1000, "compression ratio")
        let db = dir.path("l.sqlite")
        let (r, peakMB) = try runMeasured(["import", "--db", db, "--quiet", bomb])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(peakMB < 100, "peak RSS \(peakMB) MB for a 256 MiB decompressed stream")
        let rejects = try rows(db, "SELECT kind, message FROM import_rejects")
        #expect(rejects.count == 1)
        #expect((rejects.first?[1] as String?)?.hasPrefix("line too long: 268435456 bytes") == true)
        #expect(try rows(db, "SELECT count(*) FROM task_events").first?[0] == 0)
    }

    @Test func invalidUTF8AndNULBytesAreSpecificRejectsAndTheRestIsImported() throws {
        let dir = try TempDirectory()
        var bytes = Array((#"{"task":"a","state":"QUEUED","ts":"2026-11-24T10:00:00Z"}"# + "\n").utf8)
        bytes += Array(#"{"task":"b","state":"QUE"#.utf8) + [0xC3, 0x28] + Array(#"ED","ts":0}"#.utf8) + [0x0A]
        bytes += Array(#"{"task":"c","state":"#.utf8) + [0x00] + Array(#""QUEUED","ts":0}"#.utf8) + [0x0A]
        bytes += Array((#"{"task":"d\u0000","state":"QUEUED","ts":0}"# + "\n").utf8)
        let file = dir.path("hostile.jsonl")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let db = dir.path("l.sqlite")
        let r = try CLI.run(["import", "--db", db, "--quiet", file])
        #expect(r.status == 0, "\(r.stderr)")
        let rejects = try rows(db, "SELECT line, kind, message FROM import_rejects ORDER BY line")
        #expect(rejects.map { $0[0] as Int } == [2, 3, 4])
        #expect(rejects.map { $0[1] as String } == ["malformed", "malformed", "bad_field"])
        #expect((rejects[0][2] as String).contains("UTF-8"))
        // The raw NUL line is kept verbatim, NUL included (bound with its length, not as a C string).
        let raw = try rows(db, "SELECT hex(raw) FROM import_rejects WHERE line = 3").first?[0] as String?
        #expect(raw == Data(#"{"task":"c","state":"#.utf8 + [0] + #""QUEUED","ts":0}"#.utf8).map { String(format: "%02X", $0) }.joined())
        // An escaped NUL is valid JSON but SQLite text cannot hold it: a specific bad_field.
        #expect(rejects[2][2] == "field task contains a NUL character (\\u0000), which the ledger cannot store")
        #expect(try rows(db, "SELECT task FROM task_events ORDER BY seq").map { $0[0] as String } == ["a"])
    }
}
