import Foundation
import PostgresNIO
import TaskLedgerCore

extension PostgresLedger {
    /// Records one live event: judged under the task's advisory lock, so that writers on any
    /// number of hosts apply a task's events one at a time (at most one terminal event).
    @discardableResult
    public func write(_ event: StatusEvent) throws -> Verdict {
        try event.refuseNUL()
        var batch = PendingBatch(file: "")
        batch.rawBytes = Array(event.jsonLine.utf8)
        batch.lines = [.event(event, line: nil, raw: 0..<batch.rawBytes.count)]
        let verdicts = try commit(batch, locking: .task(event.task), now: 0)
        return verdicts[0]
    }

    /// Atomic check-and-record of a notification, with the same outcomes as ``Ledger/deliver(task:channel:key:cooldown:now:)``:
    /// the task+channel lock orders cooldown checks, the unique (channel, key) index makes exactly one racer win.
    public func deliver(task: String, channel: String, key: String?, cooldown: Int64?, now: Int64) throws -> DeliveryOutcome {
        let logger = logger
        var hash = FNV1a()
        hash.combine("deliver")
        hash.combine(task)
        hash.combine(channel)
        let lock = hash.signed
        return try transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
            let deliveryKey: String
            if let key {
                deliveryKey = key
            } else {
                let state = try await conn.query("SELECT state FROM task_state_snapshot WHERE task = \(task)", logger: logger)
                    .collect().first?.decode(String.self)
                guard let state else { throw LedgerError.noState(task: task) }
                deliveryKey = "\(task)#\(state)"
            }
            let seen = try await conn.query(
                "SELECT 1 FROM delivery_log WHERE channel = \(channel) AND key = \(deliveryKey)", logger: logger).collect()
            if !seen.isEmpty { return .suppressedDuplicate }
            if let cooldown {
                let recent = try await conn.query("""
                    SELECT 1 FROM delivery_log
                    WHERE task = \(task) AND channel = \(channel) AND delivered_at > \(now.saturatingMinus(cooldown))
                    LIMIT 1
                    """, logger: logger).collect()
                if !recent.isEmpty { return .suppressedCooldown }
            }
            let inserted = try await conn.query("""
                INSERT INTO delivery_log (task, channel, key, delivered_at) VALUES (\(task), \(channel), \(deliveryKey), \(now))
                ON CONFLICT (channel, key) DO NOTHING RETURNING id
                """, logger: logger).collect()
            return inserted.isEmpty ? .suppressedDuplicate : .deliver
        }
    }
}
