import Foundation
import Testing

/// The layers of README "Architecture", checked on the sources: a file may import only what its
/// target is allowed to see, so that the rules hold by construction and stay that way.
@Suite struct ArchitectureTests {
    /// Modules every target may import: the standard library's neighbours, never a database or
    /// C library of the project.
    static let system: Set<String> = ["Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch"]

    /// Target → the modules its files may import (besides ``system``), as README lists them.
    static let allowed: [String: Set<String>] = [
        "TaskLedgerCore": [],
        "TaskLedgerDecoding": ["TaskLedgerCore"],
        "TaskLedgerInput": ["CZlib"],
        "TaskLedgerImport": ["TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput"],
        "TaskLedgerReport": ["TaskLedgerCore"],
        "TaskLedgerSQLite": ["TaskLedgerCore", "GRDB", "GRDBSQLite", "CSQLiteConfig"],
        "TaskLedgerPostgres": ["TaskLedgerCore", "CLibPQ"],
        "TaskLedgerProfiles": ["TaskLedgerCore", "TaskLedgerDecoding", "Yams"],
        "TaskLedgerTestData": ["TaskLedgerCore", "CZlib"],
        "TaskLedger": [
            "TaskLedgerCore", "TaskLedgerDecoding", "TaskLedgerInput", "TaskLedgerImport", "TaskLedgerReport",
            "TaskLedgerSQLite", "TaskLedgerPostgres", "TaskLedgerProfiles",
        ],
        "task-ledger": ["TaskLedger", "TaskLedgerInput", "TaskLedgerTestData", "ArgumentParser"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules a Swift file imports (`import X`, `@_exported import X`, `import struct X.Y`).
    static func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
            guard words.first == "import", words.count >= 2 else { return nil }
            let name = words.count >= 3 && ["struct", "class", "enum", "protocol", "func", "typealias", "var"].contains(words[1])
                ? words[2] : words[1]
            return String(name.split(separator: ".").first!)
        }
    }

    /// Every import of `file` (in `target`) that the target may not see, as `file: import X`.
    static func violations(target: String, file: String, text: String) -> [String] {
        let may = (allowed[target] ?? []).union(system)
        return imports(in: text).filter { !may.contains($0) }.map { "\(file): import \($0)" }
    }

    @Test func everySourceFileImportsOnlyWhatItsTargetMaySee() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
            .filter { !$0.hasPrefix("C") }
        #expect(Set(targets) == Set(Self.allowed.keys), "a target without a row in README's table")
        var found: [String] = []
        var files = 0
        for target in targets {
            let root = Self.sources.appendingPathComponent(target)
            for case let path as String in FileManager.default.enumerator(atPath: root.path) ?? .init()
            where path.hasSuffix(".swift") {
                files += 1
                let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                found += Self.violations(target: target, file: "\(target)/\(path)", text: text)
            }
        }
        #expect(files > 50)
        #expect(found == [])
    }

    /// The check itself can fail: each rule of the README, broken once.
    @Test(arguments: [
        ("TaskLedgerCore", "import GRDB"),
        ("TaskLedgerCore", "import CZlib"),
        ("TaskLedgerReport", "import TaskLedgerImport"),
        ("TaskLedgerReport", "import GRDB"),
        ("TaskLedgerSQLite", "import TaskLedgerPostgres"),
        ("TaskLedgerPostgres", "import TaskLedgerSQLite"),
        ("TaskLedgerPostgres", "import GRDB"),
        ("TaskLedgerImport", "@_exported import GRDB"),
        ("TaskLedger", "import ArgumentParser"),
        ("TaskLedgerProfiles", "import struct GRDB.Row"),
    ])
    func aForbiddenImportIsFound(target: String, line: String) {
        #expect(Self.violations(target: target, file: "x.swift", text: "import Foundation\n\(line)\n") != [])
    }

    @Test func allowedImportsPass() {
        #expect(Self.violations(target: "TaskLedgerSQLite", file: "x.swift", text: "import GRDB\nimport TaskLedgerCore\n") == [])
    }
}
