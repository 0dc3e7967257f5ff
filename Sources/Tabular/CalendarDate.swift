/// Dates and date-times: read from ISO 8601 text (`2021-03-04`,
/// `2021-03-04T10:30:00`, `2021-03-04 10:30`), kept as numbers with a unit
/// (`days since 1970-01-01`, `seconds since 1970-01-01 00:00`), as the SAS,
/// Stata and SPSS readers keep theirs (`days since 1960-01-01`, `seconds
/// since 1582-10-14`). Proleptic Gregorian calendar; a date-time carries no
/// time zone (an offset or `Z` is refused rather than guessed at), as
/// clinical data record local visit times.
public enum CalendarDate {
  /// The unit of a CSV date column.
  public static let dayUnit = "days since 1970-01-01"
  /// The unit of a CSV date-time column.
  public static let secondUnit = "seconds since 1970-01-01 00:00"

  /// A date or time unit as the readers name it: the length of one unit in
  /// days, and the epoch as days since 1970-01-01.
  public struct Unit: Sendable, Equatable {
    public var daysPerUnit: Double
    public var epoch: Double
    public var isDateTime: Bool { daysPerUnit != 1 }
    public init(daysPerUnit: Double, epoch: Double) {
      self.daysPerUnit = daysPerUnit
      self.epoch = epoch
    }
  }

  /// Parses `days since YYYY-MM-DD`, `seconds since YYYY-MM-DD[ HH:MM]` or
  /// `milliseconds since …` (Stata's `%tc`).
  public static func unit(_ text: String?) -> Unit? {
    guard let text else { return nil }
    for (prefix, length) in [("days since ", 1.0), ("seconds since ", 1.0 / 86_400), ("milliseconds since ", 1.0 / 86_400_000)]
    where text.hasPrefix(prefix) {
      let rest = text.dropFirst(prefix.count)
      guard let epoch = days(rest.prefix(10)) else { return nil }
      return Unit(daysPerUnit: length, epoch: epoch)
    }
    return nil
  }

  /// Days since 1970-01-01 of `YYYY-MM-DD`, if it is a valid date.
  public static func days<S: StringProtocol>(_ text: S) -> Double? {
    let u = Array(text.utf8)
    guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
          let y = digits(u[0..<4]), let m = digits(u[5..<7]), let d = digits(u[8..<10]),
          (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
    return Double(daysFromCivil(y, m, d))
  }

  /// Seconds since 1970-01-01 00:00 of `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]`.
  public static func seconds<S: StringProtocol>(_ text: S) -> Double? {
    let u = Array(text.utf8)
    guard u.count >= 16, u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
          let day = days(String(decoding: u[0..<10], as: UTF8.self)),
          u[13] == UInt8(ascii: ":"), let h = digits(u[11..<13]), let mi = digits(u[14..<16]), h < 24, mi < 60 else { return nil }
    var s = 0.0
    if u.count > 16 {
      guard u.count >= 19, u[16] == UInt8(ascii: ":"), let whole = digits(u[17..<19]), whole < 60 else { return nil }
      s = Double(whole)
      if u.count > 19 {
        guard u[19] == UInt8(ascii: "."), u.count > 20, let fraction = digits(u[20...]) else { return nil }
        s += Double(fraction) / pow10(u.count - 20)
      }
    }
    return day * 86_400 + Double(h * 3600 + mi * 60) + s
  }

  /// The value of a date or date-time cell in `unit`, if the text is one.
  public static func value<S: StringProtocol>(_ text: S, in unit: Unit) -> Double? {
    guard let d = unit.isDateTime ? seconds(text).map({ $0 / 86_400 }) ?? days(text) : days(text) else { return nil }
    return (d - unit.epoch) / unit.daysPerUnit
  }

  /// A text column whose every value is an ISO 8601 date (or date-time)
  /// as numbers in `dayUnit` (`secondUnit`); nil when some value is not one.
  public static func column(_ c: CategoricalColumn) -> (NumericColumn, String)? {
    guard !c.levels.isEmpty else { return nil }
    var values: [Double] = []
    var unit = dayUnit
    if let d = c.levels.map({ days($0) }) as [Double?]?, !d.contains(where: { $0 == nil }) {
      values = d.map { $0! }
    } else {
      let t = c.levels.map { seconds($0) ?? days($0).map { $0 * 86_400 } }
      guard !t.contains(where: { $0 == nil }) else { return nil }
      values = t.map { $0! }
      unit = secondUnit
    }
    return (NumericColumn(values: c.codes.map { $0 < 0 ? .nan : values[Int($0)] }), unit)
  }

  /// A value in `unit` as text: `YYYY-MM-DD` for dates, with the time
  /// (`YYYY-MM-DD HH:MM:SS`) for date-times.
  public static func label(_ value: Double, unit: Unit) -> String {
    guard value.isFinite else { return RNumberText.format(value) }
    let days = value * unit.daysPerUnit + unit.epoch
    guard unit.isDateTime else { return format(days: days) }
    let seconds = ((days - days.rounded(.down)) * 86_400).rounded()
    let h = Int(seconds) / 3600, m = Int(seconds) % 3600 / 60, sec = Int(seconds) % 60
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return format(days: days) + " \(two(h)):\(two(m)):\(two(sec))"
  }

  /// `YYYY-MM-DD` of a day count since 1970-01-01 (the integral part).
  public static func format(days: Double) -> String {
    guard days.isFinite, abs(days) < 1e8 else { return RNumberText.format(days) }
    let (y, m, d) = civil(fromDays: Int(days.rounded(.down)))
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let year = y < 0 ? "-" + String(-y) : String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y)
    return "\(year)-\(two(m))-\(two(d))"
  }

  private static func digits<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
    var v = 0
    for b in bytes {
      guard b >= 48 && b <= 57 else { return nil }
      v = v * 10 + Int(b - 48)
    }
    return v
  }

  private static func pow10(_ k: Int) -> Double { (0..<k).reduce(1.0) { r, _ in r * 10 } }

  private static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

  private static func daysInMonth(_ y: Int, _ m: Int) -> Int {
    [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
  }

  /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
  static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The civil date of a day count since 1970-01-01.
  static func civil(fromDays z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }
}
