import PropertyBased
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

/// SPEC §2 and §7: RFC 3339 timestamps to epoch ms, the report format, and durations.
struct TimestampTests {
    @Test(arguments: [
        ("2026-01-01T00:00:00Z", at(0)),
        ("2026-01-01t00:00:00z", at(0)),
        ("2026-01-01T01:00:00+01:00", at(0)),
        ("2025-12-31T19:30:00-04:30", at(0)),
        ("2026-01-01T00:00:00+00:00", at(0)),
        ("2026-01-01T00:00:00-00:00", at(0)),
        ("2026-01-01T00:00:00.5Z", at(0) + 500),
        ("2026-01-01T00:00:00.12Z", at(0) + 120),
        ("2026-01-01T00:00:00.123Z", at(0) + 123),
        ("2026-01-01T00:00:00.123999999Z", at(0) + 123),
        ("2026-01-01T00:00:00.0009Z", at(0)),
        ("2026-01-01T00:00:01.999+01:00", at(-3599) + 999),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1969-07-20T20:17:40Z", -14_182_940_000),
        ("2000-02-29T12:00:00Z", 951_825_600_000),
        ("0001-01-01T00:00:00Z", Timestamp.minimum),
        ("9999-12-31T23:59:59.999Z", Timestamp.maximum),
        ("9999-12-31T23:59:59.999999Z", Timestamp.maximum),
    ] as [(String, Int64)])
    func rfc3339FormIsParsedToEpochMilliseconds(_ text: String, _ ms: Int64) {
        #expect(Timestamp.parseRFC3339(text) == ms)
        #expect(Timestamp.parse(text) == ms)
    }

    @Test(arguments: [
        "2026-01-01 00:00:00Z",  // space instead of T
        "2026-01-01T00:00Z",  // no seconds
        "2026-01-01T00:00:00",  // no zone
        "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00+01",
        "2026-01-01T00:00:00 Z",
        "2026-01-01T00:00:00ZZ",
        "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00,5Z",
        "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-1-01T00:00:00Z",
        "0000-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  // before year 1 in UTC
        "9999-12-31T23:30:00-01:00",  // after year 9999 in UTC
        "2026-01-01T00:00:00+24:00",
        "",
        "yesterday",
        " 2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z ",
    ])
    func malformedRFC3339IsRejected(_ text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil)
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (at(0) + 7, "2026-01-01T00:00:00.007Z"),
        (951_825_600_000, "2000-02-29T12:00:00.000Z"),
        (Timestamp.minimum, "0001-01-01T00:00:00.000Z"),
        (Timestamp.maximum, "9999-12-31T23:59:59.999Z"),
    ] as [(Int64, String)])
    func formatIsUTCWithMilliseconds(_ ms: Int64, _ text: String) {
        #expect(Timestamp.format(ms) == text)
    }

    @Test(arguments: [Timestamp.minimum, Timestamp.minimum + 1, -62_000_000_000_001, -1, 0, 1, Timestamp.maximum - 1, Timestamp.maximum] as [Int64])
    func formatRoundTripsAtTheLimits(_ ms: Int64) {
        #expect(Timestamp.parseRFC3339(Timestamp.format(ms)) == ms)
    }

    @Test func formatRoundTripsForAnyTimestampInRange() async {
        await propertyCheck(count: 500, input: Gen.int64(in: Timestamp.minimum...Timestamp.maximum)) { ms in
            #expect(Timestamp.parseRFC3339(Timestamp.format(ms)) == ms)
        }
    }

    @Test(arguments: [
        ("1767225600", at(0)),
        ("1767225600.5", at(0) + 500),
        ("1767225600000", at(0)),
        ("1767225600123", at(0) + 123),
        ("0", 0),
        ("-1", -1000),
    ] as [(String, Int64)])
    func epochNumberIsSecondsOrMillisecondsFromOneE11(_ text: String, _ ms: Int64) {
        #expect(Timestamp.parse(text) == ms)
    }

    @Test(arguments: ["nan", "inf", "1e400", "0x10", "12abc", "", "99999999999999999"])
    func unparseableTimestampTextIsNil(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test(arguments: [
        ("90s", 90_000), ("15m", 900_000), ("2h", 7_200_000), ("1d", 86_400_000), ("500ms", 500), ("0s", 0),
    ] as [(String, Int64)])
    func durationTextIsParsed(_ text: String, _ ms: Int64) {
        #expect(DurationText.parse(text) == ms)
    }

    @Test(arguments: ["", "15", "m", "s", "ms", "-1s", "1.5h", "15 m", " 15m", "1w", "1x", "15M", "1e3s", "99999999999999999d"])
    func badDurationTextIsRejected(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [
        (0, "0s"), (1500, "1500ms"), (90_000, "90s"), (900_000, "15m"), (7_200_000, "2h"), (86_400_000, "1d"),
        (90_000_000, "25h"),
    ] as [(Int64, String)])
    func durationIsFormattedInItsLargestExactUnit(_ ms: Int64, _ text: String) {
        #expect(DurationText.format(ms) == text)
    }

    @Test func durationFormatRoundTrips() async {
        await propertyCheck(count: 300, input: Gen.int64(in: 0...(1 << 50))) { ms in
            #expect(DurationText.parse(DurationText.format(ms)) == ms)
        }
    }
}

@Suite struct EpochLiteralTests {
    @Test(arguments: [
        ("1.005", Int64(1005)), ("1795514400.123", 1_795_514_400_123), ("1795514400.1239", 1_795_514_400_123),
        ("-1.0005", -1001), ("-1.5", -1500), ("-0", 0), ("0.0009", 0), ("1795514400123", 1_795_514_400_123),
        ("1795514400123.9", 1_795_514_400_123), ("1e3", 1_000_000), ("1.5e2", 150_000),
    ])
    func epochLiteralsFloorInDecimal(_ literal: String, _ expected: Int64) {
        let bytes = Array(literal.utf8)
        #expect(bytes.withUnsafeBytes { Timestamp.fromEpochLiteral($0) } == expected)
    }

    @Test(arguments: ["1e400", "-1e400", "99999999999999999999", "-99999999999"])
    func epochLiteralsOutsideYears1To9999AreRefused(_ literal: String) {
        let bytes = Array(literal.utf8)
        #expect(bytes.withUnsafeBytes { Timestamp.fromEpochLiteral($0) } == nil)
    }
}
