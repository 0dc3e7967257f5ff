import CReadStat
#if canImport(Glibc)
import Glibc
#endif
import Tabular

/// SAS, Stata and SPSS files through ReadStat (Debian `libreadstat-dev`):
/// SAS transport `.xpt` (v5 and v8), `.sas7bdat`, Stata `.dta`, SPSS
/// `.sav`/`.zsav`, into the same `Table` as a CSV file.
///
/// - Numeric variables with value labels become factors whose levels are the
///   labels in the order of their values (values without a label keep their
///   number as the level).
/// - System, tagged (SAS/Stata `.A`–`.Z`) and user-defined (SPSS) missing
///   values are missing; an empty SAS/SPSS string is missing.
/// - Dates and times stay numbers, and the column's unit is named
///   (`days since 1960-01-01` for SAS and Stata dates, `seconds since
///   1582-10-14` for SPSS dates).
/// - Character encodings: ReadStat converts the file's declared encoding to
///   UTF-8; an encoding it cannot convert is an error naming the file.
public enum StatFileReader {
  public enum Format: String, Sendable {
    case xport = "SAS transport (XPT)", sas7bdat = "SAS (sas7bdat)", dta = "Stata (dta)", sav = "SPSS (sav)"
  }

  /// The format a file name's extension names, if any.
  public static func format(ofPath path: String) -> Format? {
    let lower = path.lowercased()
    if lower.hasSuffix(".xpt") || lower.hasSuffix(".xport") { return .xport }
    if lower.hasSuffix(".sas7bdat") { return .sas7bdat }
    if lower.hasSuffix(".dta") { return .dta }
    if lower.hasSuffix(".sav") || lower.hasSuffix(".zsav") { return .sav }
    return nil
  }

  public static func read(path: String, format: Format) throws -> Table {
    if format == .xport, let size = fileSize(path), size % 80 != 0 {
      // Transport files are whole 80-byte records; ReadStat reads a cut-off
      // file without complaint, so the length is checked here.
      throw InputError(InputLocation(source: path),
                       "cannot read as \(format.rawValue): the file is \(size) bytes, not a whole number of 80-byte records; it is truncated or not a transport file")
    }
    if format == .xport, let table = try? XPortReader.read(path: path) {
      return table
    }
    return try readWithReadStat(path: path, format: format)
  }

  /// Through ReadStat even where a faster decoder exists (benchmarks).
  public static func readThroughReadStat(path: String, format: Format) throws -> Table {
    try readWithReadStat(path: path, format: format)
  }

  /// Every format through ReadStat's callbacks.
  static func readWithReadStat(path: String, format: Format) throws -> Table {
    guard let parser = readstat_parser_init() else {
      throw InputError(InputLocation(source: path), "cannot start the \(format.rawValue) reader")
    }
    defer { readstat_parser_free(parser) }
    let context = ReadContext()
    // A damaged header can claim billions of rows (found by fuzzing); no
    // file holds more rows than bytes, so that bounds what is reserved.
    context.rowLimit = fileSize(path) ?? 0
    let box = Unmanaged.passRetained(context)
    defer { box.release() }
    readstat_set_metadata_handler(parser) { metadata, ctx in
      let c = Unmanaged<ReadContext>.fromOpaque(ctx!).takeUnretainedValue()
      c.expectedRows = Int(readstat_get_row_count(metadata))
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_variable_handler(parser) { index, variable, labelSet, ctx in
      let c = Unmanaged<ReadContext>.fromOpaque(ctx!).takeUnretainedValue()
      c.addVariable(index: Int(index), variable: variable!, labelSet: labelSet.map { String(cString: $0) })
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_value_handler(parser) { row, variable, value, ctx in
      let c = Unmanaged<ReadContext>.fromOpaque(ctx!).takeUnretainedValue()
      c.addValue(row: Int(row), variable: variable!, value: value)
      return Int32(READSTAT_HANDLER_OK)
    }
    readstat_set_value_label_handler(parser) { labelSet, value, label, ctx in
      let c = Unmanaged<ReadContext>.fromOpaque(ctx!).takeUnretainedValue()
      guard let labelSet, let label else { return Int32(READSTAT_HANDLER_OK) }
      c.addValueLabel(set: String(cString: labelSet), value: value, label: String(cString: label))
      return Int32(READSTAT_HANDLER_OK)
    }
    let status: readstat_error_t
    switch format {
    case .xport: status = readstat_parse_xport(parser, path, box.toOpaque())
    case .sas7bdat: status = readstat_parse_sas7bdat(parser, path, box.toOpaque())
    case .dta: status = readstat_parse_dta(parser, path, box.toOpaque())
    case .sav: status = readstat_parse_sav(parser, path, box.toOpaque())
    }
    if status != READSTAT_OK {
      let message = String(cString: readstat_error_message(status))
      if status == READSTAT_ERROR_OPEN {
        throw InputError(InputLocation(source: path), "cannot open: \(message)")
      }
      throw InputError(InputLocation(source: path), "cannot read as \(format.rawValue): \(message)")
    }
    return try context.table(source: path, format: format)
  }
}

func fileSize(_ path: String) -> Int? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return Int(info.st_size)
}

/// What the ReadStat callbacks collect.
final class ReadContext {
  struct Variable {
    var name: String
    var label: String?
    var format: String?
    var isString: Bool
    var labelSet: String?
    var numbers: [Double] = []
    var strings: [String?] = []
  }

  var expectedRows = -1
  var rowLimit = 0
  var variables: [Variable] = []
  /// Value labels by set: numeric value → label.
  var numericLabels: [String: [(Double, String)]] = [:]
  var stringLabels: [String: [(String, String)]] = [:]

  func addVariable(index: Int, variable: UnsafeMutablePointer<readstat_variable_t>, labelSet: String?) {
    // A damaged file can leave a variable without a name (found by fuzzing).
    let name = readstat_variable_get_name(variable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "V\(index + 1)"
    let label = readstat_variable_get_label(variable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    let format = readstat_variable_get_format(variable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    let isString = readstat_variable_get_type(variable) == READSTAT_TYPE_STRING
    var v = Variable(name: name, label: label, format: format, isString: isString, labelSet: labelSet)
    let reserve = min(expectedRows, rowLimit)
    if reserve > 0 {
      if isString { v.strings.reserveCapacity(reserve) } else { v.numbers.reserveCapacity(reserve) }
    }
    guard index >= 0 && index <= max(rowLimit, 1) else { return }  // no file has more variables than bytes
    while variables.count <= index { variables.append(Variable(name: "", isString: false)) }
    variables[index] = v
  }

  func addValue(row: Int, variable: UnsafeMutablePointer<readstat_variable_t>, value: readstat_value_t) {
    let index = Int(readstat_variable_get_index(variable))
    guard index >= 0 && index < variables.count else { return }
    if variables[index].isString {
      if readstat_value_is_missing(value, variable) != 0 {
        variables[index].strings.append(nil)
      } else {
        let s = readstat_string_value(value).map { String(cString: $0) } ?? ""
        variables[index].strings.append(s.isEmpty ? nil : s)
      }
      return
    }
    if readstat_value_is_missing(value, variable) != 0 {
      variables[index].numbers.append(.nan)
      return
    }
    variables[index].numbers.append(number(value))
  }

  func number(_ value: readstat_value_t) -> Double {
    switch readstat_value_type(value) {
    case READSTAT_TYPE_INT8: return Double(readstat_int8_value(value))
    case READSTAT_TYPE_INT16: return Double(readstat_int16_value(value))
    case READSTAT_TYPE_INT32: return Double(readstat_int32_value(value))
    case READSTAT_TYPE_FLOAT: return Double(readstat_float_value(value))
    case READSTAT_TYPE_DOUBLE: return readstat_double_value(value)
    default: return .nan
    }
  }

  func addValueLabel(set: String, value: readstat_value_t, label: String) {
    if readstat_value_type(value) == READSTAT_TYPE_STRING {
      let s = readstat_string_value(value).map { String(cString: $0) } ?? ""
      stringLabels[set, default: []].append((s, label))
    } else if readstat_value_is_tagged_missing(value) == 0 && readstat_value_is_system_missing(value) == 0 {
      numericLabels[set, default: []].append((number(value), label))
    }
  }

  /// The unit of a date or time format, if the format is one.
  static func unit(format: String?, file: StatFileReader.Format) -> String? {
    guard let f = format?.uppercased() else { return nil }
    switch file {
    case .xport, .sas7bdat:
      let datetime = ["DATETIME", "E8601DT", "B8601DT", "DATEAMPM", "IS8601DT"]
      let date = ["DATE", "MMDDYY", "DDMMYY", "YYMMDD", "E8601DA", "B8601DA", "IS8601DA", "WORDDATE", "WEEKDATE", "MONYY", "YYMON", "JULIAN", "NLDATE"]
      if datetime.contains(where: { f.hasPrefix($0) }) { return "seconds since 1960-01-01 00:00" }
      if date.contains(where: { f.hasPrefix($0) }) { return "days since 1960-01-01" }
      if f.hasPrefix("TIME") || f.hasPrefix("HHMM") { return "seconds since midnight" }
    case .dta:
      if f.hasPrefix("%TD") || f.hasPrefix("%D") { return "days since 1960-01-01" }
      if f.hasPrefix("%TC") { return "milliseconds since 1960-01-01 00:00" }
    case .sav:
      if ["DATE", "ADATE", "EDATE", "SDATE", "JDATE", "DATETIME", "YMDHMS"].contains(where: { f.hasPrefix($0) }) {
        return "seconds since 1582-10-14"
      }
      if f.hasPrefix("TIME") || f.hasPrefix("DTIME") { return "seconds" }
    }
    return nil
  }

  func table(source: String, format: StatFileReader.Format) throws -> Table {
    var columns: [Column] = []
    var labels: [String?] = []
    var units: [String?] = []
    for v in variables {
      labels.append(v.label)
      units.append(ReadContext.unit(format: v.format, file: format))
      if v.isString {
        var levels = Array(Set(v.strings.compactMap { $0 })).sorted(by: byteOrderPrecedes)
        var index: [String: Int32] = [:]
        if let set = v.labelSet, let pairs = stringLabels[set], !pairs.isEmpty {
          // Labelled strings: the labels, in the order of their values.
          let sorted = pairs.sorted { byteOrderPrecedes($0.0, $1.0) }
          levels = sorted.map(\.1)
          for (k, p) in sorted.enumerated() { index[p.0] = Int32(k) }
          for s in Set(v.strings.compactMap { $0 }) where index[s] == nil {
            index[s] = Int32(levels.count)
            levels.append(s)
          }
        } else {
          for (k, l) in levels.enumerated() { index[l] = Int32(k) }
        }
        columns.append(.categorical(CategoricalColumn(levels: levels, codes: v.strings.map { $0.flatMap { index[$0] } ?? -1 })))
        continue
      }
      if let set = v.labelSet, let pairs = numericLabels[set], !pairs.isEmpty {
        let sorted = pairs.sorted { $0.0 < $1.0 }
        var levels = sorted.map(\.1)
        var index: [Double: Int32] = [:]
        for (k, p) in sorted.enumerated() where index[p.0] == nil { index[p.0] = Int32(k) }
        for x in Set(v.numbers.filter { !$0.isNaN }).sorted() where index[x] == nil {
          index[x] = Int32(levels.count)
          levels.append(RNumberText.format(x))
        }
        columns.append(.categorical(CategoricalColumn(levels: levels, codes: v.numbers.map { $0.isNaN ? -1 : index[$0]! })))
        continue
      }
      columns.append(.numeric(NumericColumn(values: v.numbers)))
    }
    let n = columns.first?.count ?? 0
    guard columns.allSatisfy({ $0.count == n }) else {
      throw InputError(InputLocation(source: source), "the file's columns have different lengths; it may be truncated")
    }
    var table = Table(source: source, names: variables.map(\.name), columns: columns)
    table.variableLabels = labels
    table.units = units
    table.rowsAreRecords = true
    return table
  }
}
