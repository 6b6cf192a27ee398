import Foundation
import GRDB
import TaskLedgerTestSupport
import Testing

@Suite("The same ledger on SQLite and on PostgreSQL", .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipReason))
struct PostgresConformanceCLITests {
    /// Every fixture, a generated stream full of violations, and live writes, into both stores
    /// with the same commands: the report files must be the same bytes.
    @Test func everyFixtureAndReportIsByteIdenticalOnBothStores() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let generated = "generated.jsonl.gz"
        try #require(CLI.run(["generate", "--tasks", "1500", "--seed", "9", "--violation-rate", "0.08", "--gzip",
                              "--output", dir.path(generated)]).status == 0)
        let fixtures = CLI.root.appendingPathComponent("fixtures").path
        try FileManager.default.createSymbolicLink(atPath: dir.path("fixtures"), withDestinationPath: fixtures)
        let imports: [[String]] = [
            ["fixtures/events.jsonl", "fixtures/nightly.jsonl.gz"],
            ["--field", "task=job_id", "--field", "state=phase", "--field", "ts=@timestamp", "--field", "actor=worker",
             "fixtures/other-system.jsonl"],
            ["--batch-size", "700", generated],
            // Again: nothing is added on either store.
            ["fixtures/events.jsonl", generated],
        ]
        let writes: [[String]] = [
            ["--task", "live-1", "--state", "queued", "--ts", "2026-11-24T10:00:00Z", "--actor", "a|b"],
            ["--task", "live-1", "--state", "succeeded", "--ts", "2026-11-24T10:05:00Z"],
            ["--task", "live-1", "--state", "failed", "--ts", "2026-11-24T10:06:00Z"],
            ["--task", "live-2", "--state", "running", "--ts", "2026-11-24T10:00:00Z", "--id", "e-1"],
            ["--task", "live-2", "--state", "queued", "--ts", "2026-11-24T10:01:00Z", "--id", "e-1"],
            ["--task", "live-3", "--state", "bogus", "--ts", "2026-11-24T10:02:00Z", "--detail", "tab\there\nnewline\\"],
        ]
        var outputs: [String: [String]] = [:]
        for db in [dir.path("ledger.sqlite"), pg.url] {
            var seen: [String] = []
            for args in imports {
                let r = try CLI.run(["import", "--db", db, "--quiet"] + args, directory: dir.url)
                #expect(r.status == 0, "\(r.stderr)")
                seen.append(r.stdout.replacingOccurrences(of: #" · [0-9.]+ s · [0-9]+ events/s"#, with: "", options: .regularExpression))
            }
            for args in writes {
                let r = try CLI.run(["write", "--db", db] + args)
                seen.append("\(r.status) \(r.stdout)")
            }
            let out = dir.path(db == pg.url ? "pg" : "sqlite")
            let report = try CLI.run(["report", "--db", db, "--out", out, "--now", "latest"])
            #expect(report.status == 0, "\(report.stderr)")
            seen.append(try CLI.run(["verify", "--db", db]).stdout)
            seen.append(try CLI.run(["history", "--db", db, "live-1"]).stdout)
            seen.append(try CLI.run(["stale", "--db", db, "--now", "latest", "--json"]).stdout)
            outputs[db] = seen
        }
        #expect(outputs[pg.url] == outputs[dir.path("ledger.sqlite")])
        for file in ["outcomes.csv", "violations.csv", "stale.csv"] {
            let sqlite = try Data(contentsOf: URL(fileURLWithPath: dir.path("sqlite/\(file)")))
            let postgres = try Data(contentsOf: URL(fileURLWithPath: dir.path("pg/\(file)")))
            #expect(sqlite.count > 60, "\(file) should have rows")
            #expect(sqlite == postgres, "\(file) differs between SQLite and PostgreSQL")
        }
        // summary.json names its ledger; everything else must agree.
        let summaries = try ["sqlite", "pg"].map { name in
            try String(contentsOfFile: dir.path("\(name)/summary.json"), encoding: .utf8)
                .split(separator: "\n").filter { !$0.contains("\"ledger\"") }
        }
        #expect(summaries[0] == summaries[1])
    }

    /// Profiles (issue 8) change how lines are read and which rules judge them; neither may
    /// depend on the store.
    /// So do partial tasks (a partial snapshot, no duration), echoes and `$file` tasks, on real
    /// captures (`../shared/real-logs/`).
    @Test(arguments: [
        ("github-actions", "fixtures/github-actions-workflow-jobs.jsonl"), ("celery", "fixtures/celery-events.jsonl"),
        ("github-actions", "../shared/real-logs/github-workflow_job-all.jsonl"),
        ("gitlab-ci", "../shared/real-logs/gitlab-job-events.jsonl"),
        ("temporal", "../shared/real-logs/temporal-sdk-go-continue-as-new.jsonl"),
    ])
    func profileFixturesGiveTheSameReportsOnBothStores(profile: String, fixture: String) throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let file = CLI.root.appendingPathComponent(fixture).path
        var summaries: [String] = []
        for (db, out) in [(dir.path("ledger.sqlite"), "sqlite"), (pg.url, "pg")] {
            let r = try CLI.run(["import", "--db", db, "--quiet", "--profile", profile, file])
            #expect(r.status == 0, "\(r.stderr)")
            summaries.append(r.stdout.replacingOccurrences(of: #" · [0-9.]+ s · [0-9]+ events/s"#, with: "", options: .regularExpression))
            let report = try CLI.run(["report", "--db", db, "--profile", profile, "--out", dir.path(out), "--now", "latest",
                                      "--format", "csv,md,json,html"])
            #expect(report.status == 0, "\(report.stderr)")
        }
        #expect(summaries[0] == summaries[1])
        if fixture.hasPrefix("fixtures/") || profile == "temporal" {
            #expect(summaries[0].contains("skipped"), "the fixture has lines that only: leaves out")
        }
        // summary.json and report.md name their ledger (first lines); everything else must agree.
        for (name, named) in [("summary.json", 2), ("report.md", 3)] {
            let texts = try ["sqlite", "pg"].map { store in
                try String(contentsOfFile: dir.path("\(store)/\(name)"), encoding: .utf8).split(separator: "\n").dropFirst(named)
            }
            #expect(texts[0] == texts[1], "\(profile): \(name)")
        }
        // report.html names its ledger in its one `<p class="where">` line.
        let pages = try ["sqlite", "pg"].map { store in
            try String(contentsOfFile: dir.path("\(store)/report.html"), encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasPrefix("<p class=\"where\">") }
        }
        #expect(pages[0] == pages[1], "\(profile): report.html")
        for name in ["outcomes.csv", "violations.csv", "stale.csv"] {
            let sqlite = try Data(contentsOf: URL(fileURLWithPath: dir.path("sqlite/\(name)")))
            #expect(sqlite == (try Data(contentsOf: URL(fileURLWithPath: dir.path("pg/\(name)")))), "\(profile): \(name)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("sqlite/outcomes.csv"))).count > 100)
    }

    @Test func killedImportsResumeToTheLedgerOfOneCleanImport() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let gz = "stream.jsonl.gz"
        try #require(CLI.run(["generate", "--tasks", "3000", "--seed", "7", "--gzip", "--output", dir.path(gz)]).status == 0)
        let clean = dir.path("clean.sqlite")
        #expect(try CLI.run(["import", "--db", clean, "--quiet", "--batch-size", "500", gz], directory: dir.url).status == 0)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            let (process, _, _) = try CLI.start(["import", "--db", pg.url, "--quiet", "--batch-size", "500", gz], directory: dir.url)
            usleep(UInt32.random(in: 100_000...700_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        #expect(try CLI.run(["import", "--db", pg.url, "--quiet", "--batch-size", "500", gz], directory: dir.url).status == 0)
        #expect(try CLI.run(["verify", "--db", pg.url]).status == 0)
        for (db, out) in [(clean, "a"), (pg.url, "b")] {
            #expect(try CLI.run(["report", "--db", db, "--out", dir.path(out), "--now", "latest"]).status == 0)
        }
        for file in ["outcomes.csv", "violations.csv", "stale.csv"] {
            #expect(try Data(contentsOf: dir.url.appendingPathComponent("a/\(file)"))
                == Data(contentsOf: dir.url.appendingPathComponent("b/\(file)")), "\(file)")
        }
        let summaries = try ["a", "b"].map { name in
            try String(contentsOfFile: dir.path("\(name)/summary.json"), encoding: .utf8)
                .split(separator: "\n").filter { !$0.contains("\"ledger\"") }
        }
        #expect(summaries[0] == summaries[1], "the same events, rejects and tasks")
    }

    /// verify reads SQLite's history task by task in key order (first seen) and PostgreSQL's in
    /// bytewise order of task: the same tampering must give the same report on both, with
    /// problems by seq and differences by task.
    @Test func verifyReportsTheSameTamperingOnBothStores() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let gz = "stream.jsonl.gz"
        try #require(CLI.run(["generate", "--tasks", "2000", "--ids", "uuid", "--seed", "11", "--violation-rate", "0.05",
                              "--gzip", "--output", dir.path(gz)]).status == 0)
        let sqlite = dir.path("ledger.sqlite")
        for db in [sqlite, pg.url] {
            #expect(try CLI.run(["import", "--db", db, "--quiet", gz], directory: dir.url).status == 0)
        }
        let tampering = [
            "UPDATE task_events SET verdict = 'weird' WHERE seq % 97 = 0",
            "UPDATE task_state_snapshot SET stage = 'tampered' WHERE last_ts % 7 = 0",
            "DELETE FROM task_state_snapshot WHERE first_ts % 11 = 0",
        ]
        let queue = try DatabaseQueue(path: sqlite)
        try queue.write { db in for sql in tampering { try db.execute(sql: sql) } }
        let rows = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM task_events") ?? 0 }
        for sql in tampering { _ = try pg.query(sql) }
        let results = try [sqlite, pg.url].map { try CLI.run(["verify", "--db", $0]) }
        #expect(results.map(\.status) == [1, 1])
        #expect(results[0].stdout == results[1].stdout)
        let lines = results[0].stdout.split(separator: "\n").map(String.init)
        let problemSeqs = lines.compactMap { line -> Int? in
            guard line.hasPrefix("problem: event "), line.hasSuffix("has unknown verdict 'weird'") else { return nil }
            return Int(line.dropFirst("problem: event ".count).prefix { $0.isNumber })
        }
        #expect(problemSeqs == Array(stride(from: 97, through: rows, by: 97)))
        let differing = lines.filter { $0.hasPrefix("differs: task '") }.map { $0.dropFirst("differs: task '".count).prefix { $0 != "'" } }
        #expect(differing.count > 100, "tampered and deleted snapshots, and tasks whose rows became unknown")
        #expect(differing == differing.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func migrateCopiesAnSQLiteLedgerWithItsHistoryInOrder() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase()
        let sqlite = dir.path("ledger.sqlite")
        let fixtures = CLI.root.appendingPathComponent("fixtures")
        try #require(CLI.run(["import", "--db", sqlite, "--quiet", fixtures.appendingPathComponent("events.jsonl").path]).status == 0)
        try #require(CLI.run(["deliver", "--db", sqlite, "--task", "t1", "--channel", "c", "--key", "k"]).status == 0)
        let migrate = try CLI.run(["migrate", "--from", sqlite, "--to", pg.url])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(try CLI.run(["verify", "--db", pg.url]).status == 0)
        for db in [sqlite, pg.url] {
            #expect(try CLI.run(["report", "--db", db, "--out", dir.path(db == sqlite ? "a" : "b"), "--now", "latest"]).status == 0)
        }
        for file in ["outcomes.csv", "violations.csv", "stale.csv"] {
            #expect(try Data(contentsOf: dir.url.appendingPathComponent("a/\(file)"))
                == Data(contentsOf: dir.url.appendingPathComponent("b/\(file)")), "\(file)")
        }
        // The copy continues the SQLite ledger: a re-import adds nothing, a delivery is remembered,
        // a new event follows the copied history.
        let again = try CLI.run(["import", "--db", pg.url, "--quiet", fixtures.appendingPathComponent("events.jsonl").path])
        #expect(again.stdout.hasPrefix("lines 0 · resumed"), "\(again.stdout)")
        #expect(try CLI.run(["deliver", "--db", pg.url, "--task", "t1", "--channel", "c", "--key", "k"]).stdout == "suppressed duplicate\n")
        try #require(CLI.run(["write", "--db", pg.url, "--task", "new", "--state", "queued"]).status == 0)
        #expect(try pg.query("SELECT max(seq) = (SELECT seq FROM task_events WHERE task = 'new') FROM task_events") == "t")
        // Into a database that already holds a ledger: refused, nothing copied.
        let twice = try CLI.run(["migrate", "--from", sqlite, "--to", pg.url])
        #expect(twice.status == 3)
        #expect(twice.stderr.contains("already holds rows"))
    }

    /// Schema version 2 added `task_state_snapshot.partial`, version 3 the window indexes,
    /// version 4 `ledger_archives` and the rejects' task index: a version 1 ledger (made here by taking them away) gets them back, all zeros, when any
    /// command opens it.
    @Test func aVersion1LedgerIsUpgradedWhenOpened() throws {
        let pg = try ScratchDatabase()
        #expect(try CLI.run(["write", "--db", pg.url, "--task", "t", "--state", "QUEUED", "--ts", "2026-01-01T00:00:00Z"]).status == 0)
        _ = try pg.query("""
            ALTER TABLE task_state_snapshot DROP COLUMN partial; DELETE FROM ledger_schema; INSERT INTO ledger_schema VALUES (1);
            DROP INDEX task_events_by_ts; DROP INDEX task_state_snapshot_terminal; DROP INDEX import_rejects_by_ts;
            DROP INDEX import_rejects_by_task; DROP TABLE ledger_archives
            """)
        #expect(try pg.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'task_state_snapshot' AND column_name = 'partial'") == "0")
        let status = try CLI.run(["status", "--db", pg.url, "t"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(try pg.query("SELECT max(version) FROM ledger_schema") == "8")
        // Version 3's window indexes and version 4's are back too.
        #expect(try pg.query("""
            SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
            WHERE indexname IN ('task_events_by_ts', 'task_state_snapshot_terminal', 'import_rejects_by_ts', 'import_rejects_by_task')
            """) == "import_rejects_by_task,import_rejects_by_ts,task_events_by_ts,task_state_snapshot_terminal")
        #expect(try pg.query("SELECT count(*) FROM ledger_archives") == "0")
        #expect(try pg.query("SELECT partial FROM task_state_snapshot WHERE task = 't'") == "0")
        // And a partial task can now be recorded in it.
        let partial = try CLI.run(["write", "--db", pg.url, "--partial", "accept", "--task", "u", "--state", "RUNNING", "--ts", "2026-01-01T00:00:01Z"])
        #expect(partial.stdout == "applied\n", "\(partial.stderr)")
        #expect(try pg.query("SELECT partial FROM task_state_snapshot WHERE task = 'u'") == "1")
        #expect(try CLI.run(["verify", "--db", pg.url]).status == 0)
    }

    @Test func aLedgerInAnotherDatabaseIsMissingUntilInit() throws {
        let pg = try ScratchDatabase()
        let status = try CLI.run(["status", "--db", pg.url, "t1"])
        #expect(status.status == 3)
        #expect(status.stderr.contains("no ledger here"), "\(status.stderr)")
        #expect(try CLI.run(["init", "--db", pg.url]).status == 0)
        #expect(try pg.query("SELECT version FROM ledger_schema") == "8")
        let absent = try CLI.run(["init", "--db", pg.url + "_absent"])
        #expect(absent.status == 3)
        #expect(absent.stderr.contains("does not exist; create it first"), "\(absent.stderr)")
    }

    @Test func anUnreachableServerIsAClearErrorWithExit3() throws {
        let r = try CLI.run(["status", "--db", "postgres://nobody@127.0.0.1:1/none", "t1"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("cannot connect"), "\(r.stderr)")
    }

    /// `archive` on PostgreSQL (issue 16): into an SQLite file and into another PostgreSQL
    /// database, the same split as on SQLite; a batch stored before a crash is stored once.
    @Test func archiveSplitsAPostgresLedgerAsItSplitsAnSQLiteOne() throws {
        let dir = try TempDirectory()
        let pg = try ScratchDatabase(), pgArchive = try ScratchDatabase()
        var nights: [String] = []
        for night in 1...3 {
            nights.append(dir.path("night\(night).jsonl.gz"))
            try #require(CLI.run(["generate", "--tasks", "800", "--ids", "uuid", "--night", "\(night)", "--seed", "\(night)",
                                  "--gzip", "--output", nights.last!]).status == 0)
        }
        let sqlite = dir.path("live.sqlite")
        for db in [sqlite, pg.url] {
            let r = try CLI.run(["import", "--db", db, "--quiet"] + nights)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let before = "2026-03-03T00:00:00Z"
        // PostgreSQL → SQLite, with a crash after the first stored batch; SQLite → SQLite.
        try ArchiveCLITests.crashAfterStoring(live: pg.url, archive: dir.path("from-pg.sqlite"), tasks: 100)
        var lines: [String] = []
        for (db, to) in [(pg.url, dir.path("from-pg.sqlite")), (sqlite, dir.path("from-sqlite.sqlite"))] {
            let r = try CLI.run(["archive", "--db", db, "--before", before, "--to", to, "--batch-size", "250", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            lines.append(r.stdout.replacingOccurrences(of: #"into .* in [0-9]+ batches · [0-9.]+ s"#, with: "", options: .regularExpression))
            #expect(try CLI.run(["verify", "--db", db]).status == 0)
            #expect(try CLI.run(["verify", "--db", to]).status == 0)
        }
        // The crash's batch was still in the live ledger: the resumed run moved it with the rest,
        // as many tasks and rows as on SQLite (and, below, stored once).
        #expect(lines[0] == lines[1])
        #expect(lines[0].hasPrefix("archived 1") && lines[0].contains(" events, "), "\(lines)")
        // PostgreSQL → PostgreSQL: nothing left before `before`, so a later bound moves night 3.
        let pgToPG = try CLI.run(["archive", "--db", pg.url, "--before", "2026-03-05T00:00:00Z", "--to", pgArchive.url, "--quiet"])
        #expect(pgToPG.status == 0, "\(pgToPG.stderr)")
        #expect(try CLI.run(["verify", "--db", pgArchive.url]).status == 0)
        #expect(try pg.query("SELECT count(*) FROM task_state_snapshot WHERE terminal_ts IS NOT NULL") == "0")
        #expect(try pg.query("SELECT string_agg(path, ',' ORDER BY path) FROM ledger_archives") == "\(dir.path("from-pg.sqlite")),\(pgArchive.url)")
        // What each archive holds agrees with the SQLite ledger split the same way (seq aside:
        // each store numbers its own arrivals).
        for (db, out) in [(dir.path("from-pg.sqlite"), "a"), (dir.path("from-sqlite.sqlite"), "b")] {
            #expect(try CLI.run(["report", "--db", db, "--out", dir.path(out), "--now", before]).status == 0)
        }
        for file in ["outcomes.csv", "violations.csv", "stale.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir.path("a/\(file)")))
            #expect(a == (try Data(contentsOf: URL(fileURLWithPath: dir.path("b/\(file)")))), "\(file)")
        }
        let split = try [sqlite, dir.path("from-sqlite.sqlite")].map { path in
            try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM task_events")! }
        }
        let pgSplit = try [pg.query("SELECT count(*) FROM task_events"), pgArchive.query("SELECT count(*) FROM task_events")]
        let fromPG = try DatabaseQueue(path: dir.path("from-pg.sqlite")).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM task_events")! }
        #expect(fromPG == split[1])
        #expect(Int(pgSplit[0])! + Int(pgSplit[1])! == split[0], "night 3 and the open tasks went to the PostgreSQL archive")
    }
}
