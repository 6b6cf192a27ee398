import Foundation
import Testing

/// The binary a CI job downloads (`scripts/build-static`) on a Debian machine that has never seen
/// Swift: a debootstrap'd bookworm (`scripts/debian-rootfs`, minbase plus libpq5), entered with
/// `chroot`. It must import the fixtures into the reports committed in reports/, and answer
/// `--version` and `--help`.
///
/// Needs root (chroot; CI runs as root), debootstrap (`.ci/run` installs it) and a Debian mirror
/// (the one apt uses here). The release build and the root file system are kept in
/// .build-static/ and reused: cold, the build takes minutes and debootstrap about one; warm, a
/// relink and nothing. Without root or debootstrap these tests fail, saying so; they do not skip.
@Suite("static binary: runs on Debian without Swift", .serialized)
struct StaticBinaryTests {
    /// What the chroot gets from Debian besides minbase: the binary's only shared libraries outside
    /// glibc, libstdc++ and libgcc (in minbase already) are libpq's.
    static let runtimePackages = ["libpq5"]

    /// Where the binary and the fixtures go inside the root file system.
    static let binaryInRoot = "/usr/local/bin/task-ledger"
    static let workInRoot = "/srv/task-ledger"

    @Test func importsTheFixturesIntoTheCommittedReports() throws {
        let root = try Self.root.get()
        let reports = root + "/tmp/reports"
        try? FileManager.default.removeItem(atPath: reports)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: root + "/tmp/demo.sqlite" + suffix) }
        let result = try Self.inRoot(
            root, "cd \(Self.workInRoot) && task-ledger import --db /tmp/demo.sqlite --now latest --report-dir /tmp/reports fixtures/events.jsonl fixtures/nightly.jsonl.gz")
        print("StaticBinaryTests: import in the chroot printed:\n\(result.stdout)\(result.stderr)")
        try #require(result.status == 0, "task-ledger import in the chroot exited \(result.status): \(result.stderr) — chroot and unshare --mount-proc need root with CAP_SYS_ADMIN (a VM's root, or a container run with --privileged)")
        #expect(result.stdout.hasPrefix("lines 53 · "), "the import summary changed: \(result.stdout)")

        for name in ["outcomes.csv", "violations.csv", "stale.csv", "summary.json", "report.md"] {
            let committed = String(decoding: try Data(contentsOf: CLI.root.appendingPathComponent("reports/\(name)")), as: UTF8.self)
            let fresh = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(reports)/\(name)")), as: UTF8.self)
            // The committed reports come from `--db demo.sqlite`; this run's ledger is
            // /tmp/demo.sqlite, which summary.json's "ledger" and report.md's first line name.
            // Only those two places may differ; the CSVs must be byte-identical.
            let expected = try Self.withLedgerPath("/tmp/demo.sqlite", in: committed, of: name)
            #expect(fresh == expected, "reports/\(name) from the static binary differs from the committed one: regenerate reports/ with the README's first command, or look at what the static build changes")
        }
    }

    @Test func answersVersionAndHelpWhereThereIsNoSwift() throws {
        let root = try Self.root.get()
        let version = try Self.inRoot(root, "task-ledger --version")
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout == "0.1.0\n")
        let help = try Self.inRoot(root, "task-ledger --help")
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout.contains("USAGE: task-ledger <subcommand>"))
        let importHelp = try Self.inRoot(root, "task-ledger import --help")
        #expect(importHelp.status == 0, "\(importHelp.stderr)")
        #expect(importHelp.stdout.contains("--report-dir"))

        let swift = try Self.inRoot(root, "command -v swift swiftc")
        #expect(swift.status != 0, "the chroot has Swift (\(swift.stdout)): delete .build-static/debian-rootfs so it is made again")
        let runtime = try CLI.run(["-c", "find \"$1\" -name 'libswiftCore*' -o -name 'libFoundation*.so*'", "sh", root], shell: true)
        #expect(runtime.stdout.isEmpty, "Swift's runtime is in the chroot: \(runtime.stdout)")
        // Every shared library the binary asks for resolves there, and none is Swift's.
        let ldd = try Self.inRoot(root, "ldd \(Self.binaryInRoot)")
        print("StaticBinaryTests: ldd in the chroot:\n\(ldd.stdout)")
        #expect(ldd.status == 0, "\(ldd.stderr)")
        #expect(!ldd.stdout.contains("not found"), "a library the binary needs is missing from Debian's minbase + \(Self.runtimePackages): add its package to runtimePackages and the README")
        #expect(!ldd.stdout.contains("libswift") && !ldd.stdout.contains("libsqlite3") && !ldd.stdout.contains("libz.so"))
    }

    // MARK: - The binary and the root file system, made once per test run

    /// The repository's scratch directory for the static build and the root file system.
    static let scratch = CLI.root.appendingPathComponent(".build-static").path

    /// Builds the binary, makes (or reuses) the root file system and puts the binary and the
    /// fixtures into it; its path, or why it could not.
    static let root: Result<String, StaticBinaryError> = Result {
        let binary = scratch + "/dist/task-ledger"
        let started = Date()
        let build = try CLI.run(["-c", "timeout --kill-after=30 2400 scripts/build-static \"$1\"", "sh", binary], directory: CLI.root, shell: true)
        guard build.status == 0 else {
            throw StaticBinaryError(description: "scripts/build-static exited \(build.status): \(build.stderr.suffix(3000))")
        }
        print("StaticBinaryTests: scripts/build-static took \(Int(Date().timeIntervalSince(started))) s")

        let rootfs = scratch + "/debian-rootfs"
        let rootfsStarted = Date()
        let made = try CLI.run(["-c", "timeout --kill-after=30 1200 scripts/debian-rootfs \"$@\"", "sh", rootfs] + runtimePackages, directory: CLI.root, shell: true)
        guard made.status == 0 else {
            throw StaticBinaryError(description: "scripts/debian-rootfs exited \(made.status): \(made.stderr.suffix(3000)) — as root with debootstrap installed (.ci/run installs it), or set TASK_LEDGER_DEBIAN_MIRROR")
        }
        print("StaticBinaryTests: scripts/debian-rootfs took \(Int(Date().timeIntervalSince(rootfsStarted))) s (reused when complete)")
        let copy = try CLI.run(
            ["-c", "set -e; install -m 755 \"$1\" \"$2$3\"; rm -rf \"$2$4\"; mkdir -p \"$2$4\"; cp -R fixtures \"$2$4/\"",
             "sh", binary, rootfs, binaryInRoot, workInRoot],
            directory: CLI.root, shell: true)
        guard copy.status == 0 else {
            throw StaticBinaryError(description: "copying the binary and fixtures/ into \(rootfs) failed: \(copy.stderr)")
        }
        return rootfs
    }.mapError { $0 as? StaticBinaryError ?? StaticBinaryError(description: "\($0)") }

    /// Runs a shell command inside the root file system with a clean environment (nothing of
    /// this machine's PATH, nor CI's GITHUB_* variables), for at most two minutes. /proc is
    /// mounted there, as on every real machine and container: a binary with the Swift runtime
    /// linked in finds its arguments through /proc: without it `CommandLine.arguments` is
    /// empty (a two-line `print(CommandLine.arguments)` built with -static-stdlib prints `[]`),
    /// and task-ledger printed the top-level help for every command. The mount lives in a mount namespace of its
    /// own, so it ends with the command and never outlives the test in the cached root.
    static func inRoot(_ root: String, _ command: String) throws -> CLI.Result {
        try CLI.run(
            ["-c", "exec timeout --kill-after=10 120 unshare --mount --pid --fork --mount-proc=\"$1/proc\" chroot \"$1\" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 /bin/sh -c \"$2\"",
             "sh", root, command],
            shell: true)
    }

    /// A committed report with its ledger path ("demo.sqlite") replaced by `path`, in exactly the
    /// place each report names it; the CSVs are returned unchanged.
    static func withLedgerPath(_ path: String, in committed: String, of name: String) throws -> String {
        let (old, new): (String, String)
        switch name {
        case "summary.json": (old, new) = ("\n  \"ledger\": \"demo.sqlite\",\n", "\n  \"ledger\": \"\(path)\",\n")
        case "report.md": (old, new) = ("\n\ndemo.sqlite at ", "\n\n\(path) at ")
        default: return committed
        }
        try #require(committed.contains(old), "reports/\(name) no longer names the ledger as \(old.debugDescription): update StaticBinaryTests.withLedgerPath")
        return committed.replacingOccurrences(of: old, with: new)
    }
}

/// Why the static binary or its Debian root could not be made: says what to do.
struct StaticBinaryError: Error, CustomStringConvertible {
    var description: String
}
