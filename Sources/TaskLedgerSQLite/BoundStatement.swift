import GRDB
import GRDBSQLite
import TaskLedgerCore

/// A GRDB-prepared statement driven through SQLite's C API: bind, step, reset.
///
/// The importer runs a few statements once per input line; GRDB's `StatementArguments` boxes
/// every value into an array of existentials, which profiling showed to cost about a fifth of
/// the import. Binding directly keeps the same prepared statements, transactions and error
/// types, without the boxing. Used only on the write path's hot statements.
package struct BoundStatement {
    private let statement: Statement
    private let db: Database
    private let arena: TextArena
    private var handle: OpaquePointer { statement.sqliteStatement }

    package init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.db = db
        self.arena = TextArena()
    }

    /// SQLite copies the bytes during the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite uses the bytes in place until the parameter is rebound or cleared.
    private static let `static` = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    /// Binds text without SQLite allocating a copy per value: the bytes go into this
    /// statement's arena, which lives until the next step is over (bindings are cleared after
    /// every step, so SQLite never keeps a pointer into reused memory).
    package func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            if let copy = arena.copy(UnsafeRawBufferPointer(bytes)) {
                sqlite3_bind_text(handle, index, copy, Int32(bytes.count), Self.static)
            } else {
                // A non-nil pointer even for "", so that SQLite stores '' rather than NULL.
                let base = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1)!
                sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
            }
        }
    }

    /// Binds text in place (no copy): the bytes must stay valid and unchanged until the
    /// statement has been stepped. nil binds NULL.
    package func bind(_ index: Int32, inPlace text: (bytes: UnsafePointer<CChar>, count: Int32)?) {
        if let text {
            sqlite3_bind_text(handle, index, text.bytes, text.count, Self.static)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    package func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ number: Int64) {
        sqlite3_bind_int64(handle, index, number)
    }

    package func bind(_ index: Int32, _ number: Int64?) {
        if let number { sqlite3_bind_int64(handle, index, number) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, _ number: Int?) {
        if let number { sqlite3_bind_int64(handle, index, Int64(number)) } else { sqlite3_bind_null(handle, index) }
    }

    /// Ends a step: resets the statement, drops the bindings that point into the arena, and
    /// frees the arena for the next row.
    private func finishStep() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
    }

    /// Runs a statement that returns no row.
    package func execute() throws {
        defer { finishStep() }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Runs a statement that returns no row and whose every parameter is bound again before
    /// each run: the bindings are not cleared (SQLite reads them only when stepping, and by then
    /// each points to the new value), which saves a pass over all of them per run.
    package func executeRebindingAll() throws {
        defer {
            sqlite3_reset(handle)
            arena.reset()
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Runs a query and tells whether it returned a row.
    package func exists() throws -> Bool {
        defer { finishStep() }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw error(code)
        }
    }

    /// Runs a query, calling `row` for each result row until it returns true.
    package func firstMatch(_ row: (ColumnReader) -> Bool) throws -> Bool {
        defer { finishStep() }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: if row(ColumnReader(handle: handle)) { return true }
            case SQLITE_DONE: return false
            default: throw error(code)
            }
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: db.lastErrorMessage ?? String(cString: sqlite3_errstr(code)),
            sql: statement.sql)
    }

    /// Reads the current row's columns.
    package struct ColumnReader {
        package let handle: OpaquePointer

        package func text(_ column: Int32) -> String {
            String(decoding: text(bytes: column), as: UTF8.self)
        }

        package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        /// The column's text bytes in SQLite's buffer: valid until the next step or column call.
        package func text(bytes column: Int32) -> UnsafeRawBufferPointer {
            guard let text = sqlite3_column_text(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
        }
    }
}

/// Memory for one row's text bindings. It never moves while a row is being bound: a value that
/// does not fit is bound as a copy instead, and the arena grows at the next reset.
package final class TextArena {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    private var wanted = 0

    package init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// The bytes' copy in the arena (never nil for empty text), or nil if they do not fit.
    package func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<CChar>? {
        guard used + bytes.count <= capacity else {
            wanted = max(wanted, used + bytes.count)
            return nil
        }
        let start = base + used
        if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
        used += bytes.count
        return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
    }

    package func reset() {
        used = 0
        if wanted > capacity {
            capacity = min(wanted * 2, 1 << 24)
            wanted = 0
            base.deallocate()
            base = .allocate(byteCount: capacity, alignment: 8)
        }
    }
}
