import TaskLedgerCore

extension GeneratedState {
    /// A lifecycle: RECEIVED/QUEUED → RUNNING (heartbeats) → maybe WAITING → RUNNING, maybe
    /// RETRYING → QUEUED → RUNNING, then mostly SUCCEEDED; about 3% stay open.
    package static func plan(_ rng: inout SplitMix64) -> [GeneratedState] {
        var plan: [GeneratedState] = []
        plan.reserveCapacity(16)
        if rng.chance(0.7) {
            plan.append(.received)
            if rng.chance(0.9) { plan.append(.queued) }
        } else {
            plan.append(.queued)
        }
        func run(_ plan: inout [GeneratedState], _ rng: inout SplitMix64) {
            plan.append(.running)
            for _ in 0..<rng.below(9) { plan.append(.running) }
        }
        run(&plan, &rng)
        if rng.chance(0.2) {
            plan.append(.waiting)
            run(&plan, &rng)
        }
        if rng.chance(0.15) {
            plan += [.retrying, .queued]
            run(&plan, &rng)
        }
        switch rng.below(100) {
        case 0..<3: break
        case 3..<83: plan.append(.succeeded)
        case 83..<91: plan.append(.failed)
        case 91..<96: plan.append(.cancelled)
        default: plan.append(.timedOut)
        }
        return plan
    }
}

extension GeneratorRun {
    package static let sources: [StaticString] = ["scheduler", "api", "cron", "k8s", "airflow"]
    package static let stages: [StaticString] = ["ingest", "build", "test", "deploy", "report"]

    /// Writes one event line. `remember` keeps a copy for an exact duplicate later.
    package mutating func writeEvent(
        task: Int, state: StaticString, ts: Int64, damage: Damage = .none, withId: Bool? = nil,
        remember: Bool = false
    ) {
        let lineStart = out.count
        out.put(byte: 0x7B)
        if withId ?? rng.chance(0.92) {
            out.key(rng.chance(0.9) ? "id" : "event_id")
            eventCount += 1
            out.put(byte: 0x22)
            switch config.ids {
            case .sequential:
                out.put(idPrefix[...])
                out.put(byte: 0x2D)
                out.put(unsigned: eventCount, width: 1)
            case .uuid:
                out.uuid(idRng.next(), idRng.next())
            }
            out.put("\",")
        }
        writeTask(task, damage: damage)
        if case .noState = damage {} else {
            out.key(rng.chance(0.8) ? "state" : "status")
            out.quoted(state)
            out.put(byte: 0x2C)
        }
        writeTimestamp(ts, damage: damage)
        if rng.chance(0.9) {
            out.put(",\"actor\":")
            if case .numberActor = damage {
                out.put(Int64(rng.below(64)))
            } else {
                out.put("\"worker-")
                out.put(unsigned: UInt64(rng.below(64)), width: 2)
                out.put(byte: 0x22)
            }
        }
        if rng.chance(0.8) {
            out.put(",\"source\":")
            out.quoted(rng.pick(Self.sources))
        }
        if task % 10 != 7 {
            out.put(",\"stage\":")
            out.quoted(Self.stages[task % Self.stages.count])
        }
        if rng.chance(0.1) {
            out.put(",\"host\":\"node-")
            out.put(unsigned: UInt64(rng.below(32)), width: 1)
            out.put("\",\"attempt\":")
            out.put(Int64(1 + rng.below(3)))
        }
        out.put("}\n")
        if remember {
            lastLine.removeAll(keepingCapacity: true)
            lastLine.append(contentsOf: out.bytes[lineStart...])
        }
    }

    /// Tasks are `"job-N"`, except every tenth one a number (sometimes written as a string).
    private mutating func writeTask(_ task: Int, damage: Damage) {
        if case .noTask = damage { return }
        let roll = rng.below(100)
        out.key(roll < 75 ? "task" : roll < 95 ? "task_id" : "req")
        if case .floatTask = damage {
            out.put(Int64(task))
            out.put(".5,")
        } else if config.ids == .uuid {
            writeScatteredTask(task)
        } else if task % 10 == 3 {
            let quote = rng.chance(0.3)
            if quote { out.put(byte: 0x22) }
            out.put(Int64(100_000 + task))
            if quote { out.put(byte: 0x22) }
            out.put(byte: 0x2C)
        } else {
            out.put("\"job-")
            out.put(unsigned: UInt64(task), width: 1)
            out.put("\",")
        }
    }

    /// A task id with no order: a build number scattered over 32 bits (one task in ten, as a
    /// JSON number or a string of it) or a UUID, both a function of the task's number alone so
    /// that every event of a task names it the same way. Draws from `rng` exactly what the
    /// sequential shape draws, so both shapes give streams of the same structure.
    private mutating func writeScatteredTask(_ task: Int) {
        if task % 10 == 3 {
            // An odd multiplier is a bijection on 32 bits: distinct tasks, distinct numbers.
            let number = Int64(UInt32(truncatingIfNeeded: task) &* 0x9E37_79B1)
            // As a JSON number or (three times in ten) a string of it: one task id either way.
            let quote = rng.chance(0.3)
            if quote { out.put(byte: 0x22) }
            out.put(number)
            if quote { out.put(byte: 0x22) }
            out.put(byte: 0x2C)
        } else {
            var hash = SplitMix64(seed: UInt64(bitPattern: Int64(task)) ^ 0x5851_F42D_4C95_7F2D)
            out.put(byte: 0x22)
            out.uuid(hash.next(), hash.next())
            out.put("\",")
        }
    }

    /// RFC 3339 (UTC, sometimes an offset) or, now and then, epoch seconds or milliseconds.
    private mutating func writeTimestamp(_ ts: Int64, damage: Damage) {
        if case .noTimestamp = damage {
            out.put("\"note\":\"no time\"")
            return
        }
        let roll = rng.below(100)
        out.key(roll < 85 ? "ts" : roll < 95 ? "timestamp" : "time")
        if case .timestampText(let text) = damage {
            out.quoted(text)
            return
        }
        switch rng.below(100) {
        case 0..<90:
            out.put(byte: 0x22)
            out.rfc3339(ts, offsetMinutes: 0)
            out.put(byte: 0x22)
        case 90..<94:
            out.put(byte: 0x22)
            out.rfc3339(ts, offsetMinutes: rng.chance(0.5) ? 120 : -300)
            out.put(byte: 0x22)
        case 94..<97:
            out.put(ts)
        default:
            out.put(ts / 1000)
            out.put(byte: 0x2E)
            out.put(unsigned: UInt64(ts % 1000), width: 3)
        }
    }

    /// One of the bad lines of SPEC §4, chosen at random.
    package mutating func writeViolation() {
        tick()
        let task = active.isEmpty ? started : active[rng.below(active.count)].number
        switch rng.below(10) {
        case 0:
            out.put(rng.pick([
                "{\"task\":\"job-1\",\"state\":\"RUNN\n", "not json at all\n", "[1,2,3]\n",
                "{\"task\":\"job-2\",\"state\":\"RUNNING\",\"ts\":1772323200,}\n",
            ] as [StaticString]))
        case 1:
            writeEvent(task: task, state: "RUNNING", ts: clock, damage: rng.pick([.noTask, .noState, .noTimestamp]))
        case 2:
            writeEvent(task: task, state: "RUNNING", ts: clock, damage: rng.chance(0.5) ? .floatTask : .numberActor)
        case 3:
            let text = rng.pick(["2026-02-30T10:00:00Z", "yesterday", "2026-03-01 10:00:00Z", "0000-01-01T00:00:00Z"] as [StaticString])
            writeEvent(task: task, state: "RUNNING", ts: clock, damage: .timestampText(text))
        case 4:
            out.put(lastLine[...])
        case 5:
            writeIdlessTwice()
        case 6:
            writeEvent(task: task, state: rng.pick(["EXPLODED", "on fire", ""] as [StaticString]), ts: clock)
        case 7:
            if finished.isEmpty { fallthrough }
            writeEvent(task: rng.pick(finished), state: rng.chance(0.5) ? "RUNNING" : "SUCCEEDED", ts: clock)
        case 8:
            writeIllegal()
        default:
            if active.isEmpty { return }
            advance(rng.below(active.count), backdated: true)
        }
    }

    /// Numbers of tasks that never start: after this night's tasks, or — for nights, whose
    /// successors' tasks come next — far beyond every night's.
    private var orphanBase: Int { config.night == nil ? config.tasks + 1 : 1 << 40 + taskOffset }

    /// The same id-less heartbeat twice: the second is a content duplicate.
    private mutating func writeIdlessTwice() {
        guard let task = active.isEmpty ? nil : active[rng.below(active.count)] else { return }
        let lineStart = out.count
        writeEvent(task: task.number, state: task.last.canonical, ts: clock, withId: false)
        out.put(out.bytes[lineStart...])
    }

    /// A state the task's current state does not allow, or an orphan task that starts running.
    private mutating func writeIllegal() {
        guard !active.isEmpty, rng.chance(0.8) else {
            writeEvent(task: orphanBase + rng.below(1_000), state: "RUNNING", ts: clock)
            return
        }
        let task = active[rng.below(active.count)]
        writeEvent(task: task.number, state: task.last == .received ? "WAITING" : "RECEIVED", ts: clock)
    }
}
