// Live-write speed through the library: one process, one Ledger, `Ledger.write` in a loop —
// each call its own BEGIN IMMEDIATE transaction, judged and committed like `task-ledger write`.
// Usage: write-loop LEDGER [EVENTS]   (bench/run builds and runs it)
import Foundation
import TaskLedger

let arguments = CommandLine.arguments
guard arguments.count >= 2, let count = Int(arguments.count > 2 ? arguments[2] : "20000"), count > 0 else {
    FileHandle.standardError.write(Data("usage: write-loop LEDGER [EVENTS]\n".utf8))
    exit(2)
}
let ledger = try Ledger(arguments[1])
let states = ["QUEUED", "RUNNING", "SUCCEEDED"]
let start = 1_767_225_600_000 as Int64
let clock = ContinuousClock()
var applied = 0
let elapsed = try clock.measure {
    for i in 0..<count {
        let event = StatusEvent(
            task: "task-\(i / 3)", state: states[i % 3], timestamp: start + Int64(i) * 1000, id: "e\(i)",
            actor: "bench", source: "write-loop")
        if try ledger.write(event) == .applied { applied += 1 }
    }
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("\(count) events, \(applied) applied, \(String(format: "%.3f", seconds)) s, \(Int(Double(count) / seconds)) events/s")
