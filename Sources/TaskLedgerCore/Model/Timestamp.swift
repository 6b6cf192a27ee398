/// Epoch-millisecond timestamps: parsing RFC 3339 and epoch numbers, formatting for reports.
///
/// Written against bytes, without Foundation's date formatters, because the importer parses one
/// per input line and the rules (SPEC §7) are narrower than any formatter's.
public enum Timestamp {
    /// 0001-01-01T00:00:00Z in epoch ms.
    public static let minimum: Int64 = -62_135_596_800_000
    /// 9999-12-31T23:59:59.999Z in epoch ms.
    public static let maximum: Int64 = 253_402_300_799_999

    /// Parses an RFC 3339 timestamp (seconds required, `Z`/`z` or `±HH:MM`, optional fraction
    /// truncated to ms, `T` or `t` between date and time). Returns nil for anything else.
    public static func parseRFC3339(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parseRFC3339(bytes: $0) }
    }

    /// Byte-level form of ``parseRFC3339(_:)``.
    package static func parseRFC3339(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        // YYYY-MM-DDTHH:MM:SS = 19 bytes, then optional fraction, then zone.
        guard b.count >= 20 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for i in at..<(at + n) {
                let d = Int(b[i]) &- 48
                guard d >= 0, d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
            let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var i = 19
        var millis = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if i - start < 3 { millis = millis * 10 + Int(b[i] - 48) }
                i += 1
            }
            guard i > start else { return nil }
            for _ in 0..<max(0, 3 - (i - start)) { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.count - i == 6, let oh = digits(i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                let om = digits(i + 4, 2), oh <= 23, om <= 59
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = Int64(daysFromCivil(year, month, day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetMinutes * 60)
        let ms = seconds * 1000 + Int64(millis)
        return (minimum...maximum).contains(ms) ? ms : nil
    }

    /// Parses `2023-01-10 13:50:05 UTC` (GitLab's webhooks): a space between date and time,
    /// an optional fraction, then a space and `UTC`, `+hhmm` or `+hh:mm`. Nil for anything else.
    public static func parseSpaced(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 23, bytes[10] == UInt8(ascii: " "),
            let space = bytes[19...].firstIndex(of: UInt8(ascii: " "))
        else { return nil }
        let zone = bytes[(space + 1)...]
        var rfc = Array(bytes[..<space])
        rfc[10] = UInt8(ascii: "T")
        if zone.elementsEqual("UTC".utf8) {
            rfc.append(UInt8(ascii: "Z"))
        } else if zone.count == 5, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-") {
            rfc += zone.prefix(3) + [UInt8(ascii: ":")] + zone.suffix(2)
        } else if zone.count == 6 {
            rfc += zone
        } else {
            return nil
        }
        return rfc.withUnsafeBufferPointer { parseRFC3339(bytes: $0) }
    }

    /// Converts a JSON number to epoch ms: seconds, or milliseconds when ≥ 1e11; floored to ms.
    /// Returns nil for non-finite values and years outside 0001–9999.
    public static func fromEpochNumber(_ value: Double) -> Int64? {
        guard value.isFinite else { return nil }
        let ms = (value >= 1e11 ? value : value * 1000).rounded(.down)
        guard ms >= Double(minimum), ms <= Double(maximum) else { return nil }
        return Int64(ms)
    }

    /// Converts a JSON number literal to epoch ms like ``fromEpochNumber(_:)``, but exactly:
    /// a plain decimal literal (`1795514400.005`) is floored in decimal arithmetic, so that
    /// binary rounding cannot turn 1.005 s into 1004 ms. Literals with an exponent or more
    /// than 15 integer digits go through `Double`.
    package static func fromEpochLiteral(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let negative = b.count > 0 && b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < b.count, b[i] &- 48 < 10, digits < 15 {
            whole = whole * 10 + Int64(b[i] &- 48)
            digits += 1
            i += 1
        }
        var millis: Int64 = 0
        var fractionDigits = 0
        var truncated = false
        if digits > 0, i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] &- 48 < 10 {
                if fractionDigits < 3 {
                    millis = millis * 10 + Int64(b[i] &- 48)
                } else if b[i] != UInt8(ascii: "0") {
                    truncated = true
                }
                fractionDigits += 1
                i += 1
            }
        }
        guard digits > 0, i == b.count else {
            let text = String(decoding: b, as: UTF8.self)
            return Double(text).flatMap(fromEpochNumber)
        }
        let ms: Int64
        if !negative && whole >= 100_000_000_000 {
            ms = whole  // already milliseconds; the fraction floors away
        } else {
            for _ in min(fractionDigits, 3)..<3 { millis *= 10 }
            let magnitude = whole * 1000 + millis
            ms = negative ? -magnitude - (truncated ? 1 : 0) : magnitude
        }
        return (minimum...maximum).contains(ms) ? ms : nil
    }

    /// Parses what a person may type for `--ts`/`--now`: RFC 3339 or an epoch number.
    public static func parse(_ text: String) -> Int64? {
        if let ms = parseRFC3339(text) { return ms }
        if let number = Double(text), text.allSatisfy({ "0123456789.-+eE".contains($0) }) {
            return fromEpochNumber(number)
        }
        return nil
    }

    /// `2026-11-24T10:00:00.000Z`: UTC with milliseconds, the report format.
    public static func format(_ ms: Int64) -> String {
        let (days, msOfDay) = ms.floorDivided(by: 86_400_000)
        let (y, m, d) = civilFromDays(Int(days))
        let t = Int(msOfDay)
        // Written into 24 bytes directly: reports format one per row, and interpolation with
        // padding showed up at a tenth of a 1M-event report.
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = value
                for i in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 4, at: 0)
            out[4] = UInt8(ascii: "-")
            put(m, 2, at: 5)
            out[7] = UInt8(ascii: "-")
            put(d, 2, at: 8)
            out[10] = UInt8(ascii: "T")
            put(t / 3_600_000, 2, at: 11)
            out[13] = UInt8(ascii: ":")
            put(t / 60_000 % 60, 2, at: 14)
            out[16] = UInt8(ascii: ":")
            put(t / 1000 % 60, 2, at: 17)
            out[19] = UInt8(ascii: ".")
            put(t % 1000, 3, at: 20)
            out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    package static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
    package static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Durations as people write them: `90s`, `15m`, `2h`, `1d` (also `500ms`).
package enum DurationText {
    /// Milliseconds in `text`, or nil if it is not a positive-or-zero number with a unit.
    package static func parse(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let v = Int64(number), v >= 0, v <= Int64.max / scale { return v * scale }
            if suffix == "ms" { continue }
            return nil
        }
        return nil
    }

    /// The shortest exact form of `ms` in the units above (`15m`, `90s`, `1d`).
    package static func format(_ ms: Int64) -> String {
        for (suffix, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where ms != 0 && ms % scale == 0 {
            return "\(ms / scale)\(suffix)"
        }
        return ms == 0 ? "0s" : "\(ms)ms"
    }
}

extension Int64 {
    /// Floor division and the non-negative remainder.
    package func floorDivided(by d: Int64) -> (Int64, Int64) {
        let q = self / d
        let r = self % d
        return r < 0 ? (q - 1, r + d) : (q, r)
    }
}
