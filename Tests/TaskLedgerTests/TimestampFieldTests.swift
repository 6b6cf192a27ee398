import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// How the `ts` field of a line becomes epoch milliseconds (SPEC §2, §7).
@Suite struct TimestampFieldTests {
    /// `{"task":"t","state":"s","ts":<ts>}` with `ts` spliced in as raw JSON.
    private func timestamp(_ ts: String) -> Result<StatusEvent, LineReject> {
        decodeLine(#"{"task":"t","state":"s","ts":\#(ts)}"#)
    }

    @Test(arguments: [
        (#""2026-11-24T10:00:00Z""#, t0),
        (#""2026-11-24T10:00:00z""#, t0),
        (#""2026-11-24t10:00:00Z""#, t0),
        (#""2026-11-24T12:30:00+02:30""#, t0),
        (#""2026-11-24T05:00:00-05:00""#, t0),
        (#""2026-11-24T10:00:00+00:00""#, t0),
        (#""2026-11-24T10:00:00-00:00""#, t0),
        (#""2026-11-24T10:00:00.1Z""#, t0 + 100),
        (#""2026-11-24T10:00:00.12Z""#, t0 + 120),
        (#""2026-11-24T10:00:00.123Z""#, t0 + 123),
        (#""2026-11-24T10:00:00.1239Z""#, t0 + 123),
        (#""2026-11-24T10:00:00.123456789Z""#, t0 + 123),
        (#""2026-11-24T10:00:00.999999999Z""#, t0 + 999),
        (#""0001-01-01T00:00:00Z""#, Timestamp.minimum),
        (#""9999-12-31T23:59:59.999Z""#, Timestamp.maximum),
        (#""1970-01-01T00:00:00Z""#, 0),
        (#""2024-02-29T00:00:00Z""#, 1_709_164_800_000),
        (#""2026-11-24T10:00:0\u0030Z""#, t0),
    ] as [(String, Int64)])
    func rfc3339StringsAreParsed(ts: String, ms: Int64) {
        #expect(timestamp(ts).event?.timestamp == ms)
    }

    @Test(arguments: [
        ("1795514400", t0),
        ("1795514400.5", t0 + 500),
        ("1795514400.123", t0 + 123),
        ("1795514400.1239", t0 + 123),
        ("1795514400123", t0 + 123),
        ("1.795514400123e12", t0 + 123),
        ("1e11", 100_000_000_000),
        ("99999999999", 99_999_999_999_000),
        ("0", 0),
        ("-0", 0),
        ("-0.0", 0),
        ("0.0009", 0),
        ("-1", -1000),
        ("-1.5", -1500),
        ("-0.0001", -1),
        ("1E3", 1_000_000),
    ] as [(String, Int64)])
    func epochNumbersAreSecondsOrMillisecondsFlooredToMs(ts: String, ms: Int64) {
        #expect(timestamp(ts).event?.timestamp == ms)
    }

    @Test(arguments: [
        #""2026-11-24 10:00:00Z""#,
        #""2026-11-24T10:00Z""#,
        #""2026-11-24T10:00:00""#,
        #""2026-11-24T10:00:00+0200""#,
        #""2026-11-24T10:00:00.Z""#,
        #""2026-02-30T10:00:00Z""#,
        #""2026-11-24T24:00:00Z""#,
        #""0000-12-31T23:59:59Z""#,
        #""10000-01-01T00:00:00Z""#,
        #""2026-11-24T10:00:00Z ""#,
        #""1795514400""#,
        "1e400",
        "-1e400",
        "1e20",
        "-62135596801",
        "253402300800000",
    ])
    func anythingElseIsBadTimestamp(ts: String) {
        #expect(timestamp(ts).reject?.kind == .badTimestamp)
    }

    @Test func theLastInstantsOfTheRangeAreAccepted() {
        #expect(timestamp("-62135596800").event?.timestamp == Timestamp.minimum)
        #expect(timestamp("253402300799999").event?.timestamp == Timestamp.maximum)
    }
}
