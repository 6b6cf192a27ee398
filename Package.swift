// swift-tools-version: 6.1
import PackageDescription

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
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "CSQLiteConfig",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "TaskLedger",
            dependencies: [
                "CZlib",
                "CSQLiteConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [
                .embedInCode("Resources/status_schema.sql"),
                .embedInCode("Resources/status_schema.postgres.sql"),
                .embedInCode("Resources/profile-default.yaml"),
                .embedInCode("Resources/profile-github-actions.yaml"),
                .embedInCode("Resources/profile-celery.yaml"),
            ]
        ),
        .executableTarget(
            name: "task-ledger",
            dependencies: [
                "TaskLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TaskLedgerTests",
            dependencies: [
                "TaskLedger",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "TaskLedgerCLITests",
            dependencies: [
                "TaskLedger",
                "task-ledger",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
