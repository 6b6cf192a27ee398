// swift-tools-version: 6.1
import PackageDescription

// The layers are targets, so that the compiler keeps them apart (README "Architecture").
// A line flows one way: bytes (Input) → line → event (Decoding) → verdict (Core's rules) →
// ledger (an adapter, through Core's ports, fed by Import's one loop) → Report.
let package = Package(
    name: "task-ledger",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TaskLedger", targets: ["TaskLedger"]),
        .executable(name: "task-ledger", targets: ["task-ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `swift package generate-documentation --target TaskLedger` builds the DocC catalog.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CSQLiteConfig",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // Model values, the rules and the judge, and the ports the stores implement.
        .target(name: "TaskLedgerCore"),
        // Bytes of one line → a decoded event or a reject (what fuzz/run builds).
        .target(name: "TaskLedgerDecoding", dependencies: ["TaskLedgerCore"]),
        // Files, stdin and gzip → lines with their numbers.
        .target(name: "TaskLedgerInput", dependencies: ["CZlib"]),
        // The one import loop, for every store.
        .target(name: "TaskLedgerImport", dependencies: ["TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput"]),
        // Report values built from a store's rows; CSV, JSON and Markdown writers.
        .target(name: "TaskLedgerReport", dependencies: ["TaskLedgerCore"]),
        // The SQLite adapter: every line of SQLite SQL.
        .target(
            name: "TaskLedgerSQLite",
            dependencies: [
                "TaskLedgerCore",
                "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            resources: [.embedInCode("Resources/status_schema.sql")]
        ),
        // The PostgreSQL adapter: every line of PostgreSQL SQL.
        .target(
            name: "TaskLedgerPostgres",
            dependencies: [
                "TaskLedgerCore",
                "CLibPQ",
            ],
            resources: [.embedInCode("Resources/status_schema.postgres.sql")]
        ),
        // Rules and profile YAML, the built-in profiles, sniff.
        .target(
            name: "TaskLedgerProfiles",
            dependencies: ["TaskLedgerCore", "TaskLedgerDecoding", .product(name: "Yams", package: "Yams")],
            resources: [
                .embedInCode("Resources/profile-default.yaml"),
                .embedInCode("Resources/profile-github-actions.yaml"),
                .embedInCode("Resources/profile-celery.yaml"),
                .embedInCode("Resources/profile-gitlab-ci.yaml"),
                .embedInCode("Resources/profile-openlineage.yaml"),
                .embedInCode("Resources/profile-dbt.yaml"),
                .embedInCode("Resources/profile-temporal.yaml"),
                .embedInCode("Resources/profile-aws-step-functions.yaml"),
            ]
        ),
        // Generated status streams for tests and benches.
        .target(name: "TaskLedgerTestData", dependencies: ["TaskLedgerCore", "CZlib"]),
        // The umbrella a Swift user imports: opens either store, imports, reports, migrates.
        .target(
            name: "TaskLedger",
            dependencies: [
                "TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput", "TaskLedgerImport", "TaskLedgerReport",
                "TaskLedgerSQLite", "TaskLedgerPostgres", "TaskLedgerProfiles",
            ]
        ),
        .executableTarget(
            name: "task-ledger",
            dependencies: [
                "TaskLedger",
                "TaskLedgerInput",
                "TaskLedgerTestData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The tests' own helpers (temp directories), shared by both test targets.
        .target(name: "TaskLedgerTestSupport", path: "Tests/TaskLedgerTestSupport"),
        .testTarget(
            name: "TaskLedgerTests",
            dependencies: [
                "TaskLedger",
                "TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput", "TaskLedgerImport", "TaskLedgerReport",
                "TaskLedgerSQLite", "TaskLedgerPostgres", "TaskLedgerProfiles", "TaskLedgerTestData",
                "TaskLedgerTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "TaskLedgerCLITests",
            dependencies: [
                "TaskLedger",
                "TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput", "TaskLedgerImport", "TaskLedgerReport",
                "TaskLedgerSQLite", "TaskLedgerPostgres", "TaskLedgerProfiles", "TaskLedgerTestData",
                "TaskLedgerTestSupport",
                "task-ledger",
                .product(name: "GRDB", package: "GRDB.swift"),
                // CIDocsTests parses the CI workflow examples in docs/ci/.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ]
)
