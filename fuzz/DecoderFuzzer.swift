// libFuzzer entry point over the line decoder and the timestamp parsers. Built by fuzz/run with
// `swiftc -sanitize=fuzzer,address` from the decoder's targets (TaskLedgerDecoding and
// TaskLedgerCore: no SQLite, no zlib), so it runs the exact code the importer runs on every line.
import TaskLedgerCore
import TaskLedgerDecoding

/// A profile-style decoder: nested paths with fallbacks, and an `only:` filter.
let pathDecoder: EventDecoder = {
    func paths(_ texts: String...) -> [FieldPath] { texts.map { try! FieldPath(parsing: $0) } }
    let mapping = FieldMapping(paths: [
        .task: paths("job.id", "task"), .state: paths("job.conclusion", "action", "state"),
        .ts: paths("job.completed_at", "job.started_at", "ts"), .actor: paths("job.runner.name"),
    ])
    let only = LineSelection([.init(path: FieldPath(key: "type"), patterns: ["task-*", "*"])])
    return EventDecoder(mapping: mapping, selection: only, defaultSource: "fuzz")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch EventDecoder().decode(bytes) {
    case .success(let event):
        // A decoded event must satisfy what the importer relies on.
        precondition((Timestamp.minimum...Timestamp.maximum).contains(event.timestamp))
        precondition(Timestamp.parseRFC3339(Timestamp.format(event.timestamp)) == event.timestamp)
    case .failure(let reject):
        precondition(!reject.message.isEmpty)
    }
    if case .event(let event) = pathDecoder.read(bytes) {
        precondition((Timestamp.minimum...Timestamp.maximum).contains(event.timestamp))
    }
    _ = Timestamp.parseRFC3339(bytes: UnsafeBufferPointer(start: data, count: size))
    _ = Timestamp.fromEpochLiteral(bytes)
    if let mapped = try? FieldMapping(specs: [String(decoding: bytes, as: UTF8.self)]) {
        _ = EventDecoder(mapping: mapped).decode(bytes)
    }
    return 0
}
