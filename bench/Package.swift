// swift-tools-version: 6.1
import PackageDescription

// The benchmarks, a package of their own (as swift-nio and swift-log keep theirs) so that a
// `swift build` of task-ledger builds only the product. bench/run builds this one with
// `swift build -c release --package-path bench`.
let package = Package(
    name: "task-ledger-bench",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named: a path dependency's identity is its directory's name, which is a checkout's
        // (or worktree's) name, not necessarily task-ledger.
        .package(name: "task-ledger", path: ".."),
    ],
    targets: [
        // Live-write speed of the library: `Ledger.write` in a loop.
        .executableTarget(
            name: "write-loop",
            dependencies: [.product(name: "TaskLedger", package: "task-ledger")],
            path: "WriteLoop"
        ),
    ]
)
