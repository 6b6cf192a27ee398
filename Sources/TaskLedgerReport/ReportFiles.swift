import Foundation
import TaskLedgerCore

extension Report {
    /// The files ``write(to:)`` writes for the options' formats, in this order.
    public var fileNames: [String] {
        var names: [String] = []
        if options.formats.contains(.csv) { names += CSVFile.allCases.map(\.fileName) }
        if options.formats.contains(.json) { names.append("summary.json") }
        if options.formats.contains(.md) { names.append("report.md") }
        if options.formats.contains(.junit) { names.append("junit.xml") }
        if options.formats.contains(.html) { names.append("report.html") }
        return names
    }

    /// The text of one of ``fileNames``; nil for any other name.
    public func contents(ofFile name: String) -> String? {
        if let file = CSVFile.allCases.first(where: { $0.fileName == name }) { return csv(file) }
        switch name {
        case "summary.json": return summaryJSON
        case "report.md": return markdown
        case "junit.xml": return junitXML
        case "report.html": return html
        default: return nil
        }
    }

    /// Writes the report's files into `directory` (created if missing), each replaced
    /// atomically, and returns their paths in ``fileNames`` order.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        try Report.createDirectory(directory)
        return try write(to: directory, except: [])
    }

    /// ``write(to:)`` but for the files in `written`, which are already there: their paths are
    /// returned in their place all the same.
    package func write(to directory: String, except written: Set<String>) throws -> [String] {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        return try fileNames.map { name in
            let url = base.appendingPathComponent(name)
            if written.contains(name) { return url.path }
            if let file = CSVFile.allCases.first(where: { $0.fileName == name }) {
                try StreamedFile.write(directory: directory, name: name) { try csv(file, chunkBytes: ReportWriter.bufferBytes, $0) }
                return url.path
            }
            do {
                try Data(contents(ofFile: name)!.utf8).write(to: url, options: .atomic)
            } catch {
                throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
            }
            return url.path
        }
    }

    /// Creates `directory` and its parents if missing.
    package static func createDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotWrite(path: directory, reason: error.localizedDescription)
        }
    }
}

/// Why report files could not be written: thrown by ``Report/write(to:)``.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The directory could not be created, or a file in it written; `reason` is the system's
    /// words. Files written before it stay; the message says to check that the directory is
    /// writable.
    case cannotWrite(path: String, reason: String)

    /// One line for people: the path, the system's reason, what to check.
    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            "\(path): cannot write the report (\(reason)); check that the directory is writable"
        }
    }
}
