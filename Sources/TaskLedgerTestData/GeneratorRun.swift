import TaskLedgerCore

/// One pass of ``StreamGenerator``: the mutable state of the stream being written.
package struct GeneratorRun {
    /// A task in flight and the states it has left to go through.
    package struct Task {
        package var number: Int
        package var plan: [GeneratedState]
        package var next = 0
        package var last: GeneratedState
        package var lastTimestamp: Int64
    }

    /// Ways to spoil an event line.
    package enum Damage {
        case none, noTask, noState, noTimestamp, floatTask, numberActor
        case timestampText(StaticString)
    }

    package static let chunkSize = 1 << 20
    package static let start: Int64 = 1_772_323_200_000  // 2026-03-01T00:00:00Z

    package let config: StreamGenerator
    package var rng: SplitMix64
    package var out = LineBytes(capacity: chunkSize + 4096)
    package var lastLine: [UInt8] = []
    package var active: [Task] = []
    package var finished: [Int] = []
    package var started = 0
    package var clock = start
    package var eventCount: UInt64 = 0
    package let idPrefix: [UInt8]
    /// Random UUIDs for event ids (``StreamGenerator/IDShape/uuid``), apart from `rng` so that
    /// both id shapes give streams of the same structure.
    package var idRng: SplitMix64
    /// Task numbers of earlier nights: night N's tasks follow theirs.
    package let taskOffset: Int
    /// Thousandths of a millisecond per clock step: 1000 for a lone stream, more for a night
    /// spread over its day.
    package let tickScale: Int64

    package init(_ config: StreamGenerator) {
        self.config = config
        let night = config.night ?? 1
        let seed = night == 1 ? config.seed : config.seed ^ (UInt64(night) &* 0xA076_1D64_78BD_642F)
        rng = SplitMix64(seed: seed)
        idRng = SplitMix64(seed: seed &+ 0xE703_7ED1_A0B4_28DB)
        taskOffset = (night - 1) * config.tasks
        clock = Self.start + Int64(night - 1) * 86_400_000
        // Measured: a night's steps take 20.5 ms × 10.3 per task at scale 1. Scaled so the last
        // tasks start before midnight and the night's last events come about an hour after it.
        tickScale = config.night == nil ? 1_000 : max(1_000, 94_000_000_000 / (Int64(max(config.tasks, 1)) * 215))
        let hex = Array("0123456789abcdef".utf8)
        var prefix: [UInt8] = []
        var prefixRng = SplitMix64(seed: ~seed)
        var mixed = prefixRng.next()
        for _ in 0..<8 {
            prefix.append(hex[Int(truncatingIfNeeded: mixed & 15)])
            mixed >>= 4
        }
        idPrefix = prefix
        lastLine.reserveCapacity(512)
    }

    package mutating func generate(_ flush: (UnsafeRawBufferPointer) throws -> Void) throws {
        while started < config.tasks || !active.isEmpty {
            let room = active.count < config.concurrency
            if started < config.tasks, active.isEmpty || (room && rng.chance(0.25)) {
                startTask()
            } else {
                advance(rng.below(active.count), backdated: false)
            }
            if config.violationRate > 0, rng.chance(config.violationRate) { writeViolation() }
            if out.count >= Self.chunkSize {
                try out.bytes.withUnsafeBytes { try flush($0) }
                out.removeAll()
            }
        }
        if out.count > 0 { try out.bytes.withUnsafeBytes { try flush($0) } }
        out.removeAll()
    }

    private mutating func startTask() {
        started += 1
        let plan = GeneratedState.plan(&rng)
        active.append(Task(number: taskOffset + started, plan: plan, last: plan[0], lastTimestamp: clock))
        advance(active.count - 1, backdated: false)
    }

    /// Writes the task's next planned event; retires the task when its plan is done.
    package mutating func advance(_ index: Int, backdated: Bool) {
        tick()
        var task = active[index]
        let state = task.plan[task.next]
        let ts = backdated ? task.lastTimestamp - 1_000 - Int64(rng.below(120_000)) : clock
        writeEvent(task: task.number, state: spelling(state), ts: ts, remember: true)
        task.next += 1
        task.last = state
        task.lastTimestamp = max(task.lastTimestamp, ts)
        if task.next < task.plan.count {
            active[index] = task
        } else {
            active.swapAt(index, active.count - 1)
            active.removeLast()
            if state.isTerminal { rememberFinished(task.number) }
        }
    }

    private mutating func rememberFinished(_ number: Int) {
        if finished.count < 256 { finished.append(number) } else { finished[rng.below(256)] = number }
    }

    package mutating func tick() { clock += (1 + Int64(rng.below(40))) * tickScale / 1_000 }

    /// Mostly the canonical name, sometimes an alias or another case.
    private mutating func spelling(_ state: GeneratedState) -> StaticString {
        rng.chance(0.12) ? rng.pick(state.aliases) : state.canonical
    }
}
