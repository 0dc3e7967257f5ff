import Tabular

/// Reads any supported data file into a `Table`, chosen by its name: SAS
/// (`.xpt`, `.sas7bdat`), Stata (`.dta`) and SPSS (`.sav`, `.zsav`) files
/// through ReadStat; everything else (`.csv`, `.tsv`, `.tab`, `-` for
/// standard input) as delimited text.
public enum DataFiles {
  /// `columns`: with delimited text, parse only these (see `CSVReader.read`);
  /// the other formats read every column.
  public static func read(path: String, table: String? = nil, query: String? = nil,
                          columns: Set<String>? = nil) throws -> Table {
    if SQLiteReader.isDatabase(path: path) {
      return try SQLiteReader.read(path: path, table: table, query: query)
    }
    if table != nil || query != nil {
      let option = table != nil ? "table" : "query"
      throw InputError(option: option,
                       "expected an SQLite database (.sqlite, .sqlite3, .db) with \(InputError.mention(option)), found \(path.quotedForMessage)")
    }
    if let format = StatFileReader.format(ofPath: path) {
      return try StatFileReader.read(path: path, format: format)
    }
    return try CSVReader.read(path: path, columns: columns)
  }
}
