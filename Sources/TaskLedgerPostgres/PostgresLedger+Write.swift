import TaskLedgerCore

extension PostgresLedger {
    /// Records one live event: judged under the task's advisory lock, so that writers on any
    /// number of hosts apply a task's events one at a time (at most one terminal event).
    @discardableResult
    package func write(_ event: StatusEvent) throws -> Verdict {
        try event.refuseNUL()
        var batch = PendingBatch(file: "")
        batch.rawBytes = Array(event.jsonLine.utf8)
        batch.lines = [.event(event, line: nil, raw: 0..<batch.rawBytes.count)]
        let verdicts = try commit(batch, locking: .task(event.task), now: 0)
        return verdicts[0]
    }

    /// Atomic check-and-record of a notification, with the same outcomes as ``Ledger/deliver(task:channel:key:cooldown:now:)``:
    /// the task+channel lock orders cooldown checks, the unique (channel, key) index makes exactly one racer win.
    package func deliver(task: String, channel: String, key: String?, cooldown: Int64?, now: Int64) throws -> DeliveryOutcome {
        var hash = FNV1a()
        hash.combine("deliver")
        hash.combine(task)
        hash.combine(channel)
        let lock = hash.signed
        return try transaction { conn in
            try conn.exec("SELECT pg_advisory_xact_lock(\(lock))")
            let deliveryKey: String
            if let key {
                deliveryKey = key
            } else {
                let state = try conn.exec("SELECT state FROM task_state_snapshot WHERE task = $1", params: [task]).first?.text(0)
                guard let state else { throw LedgerError.noState(task: task) }
                deliveryKey = "\(task)#\(state)"
            }
            let seen = try conn.exec("SELECT 1 FROM delivery_log WHERE channel = $1 AND key = $2", params: [channel, deliveryKey])
            if seen.rowCount > 0 { return .suppressedDuplicate }
            if let cooldown {
                let recent = try conn.exec("""
                    SELECT 1 FROM delivery_log WHERE task = $1 AND channel = $2 AND delivered_at > $3 LIMIT 1
                    """, params: [task, channel, String(now.saturatingMinus(cooldown))])
                if recent.rowCount > 0 { return .suppressedCooldown }
            }
            let inserted = try conn.exec("""
                INSERT INTO delivery_log (task, channel, key, delivered_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (channel, key) DO NOTHING RETURNING id
                """, params: [task, channel, deliveryKey, String(now)])
            return inserted.rowCount == 0 ? .suppressedDuplicate : .deliver
        }
    }
}
