// swift-tools-version: 6.0
// outcomes — survival, rates and study design with numbers that match R.
import PackageDescription

let package = Package(
  name: "outcomes",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "outcomes", targets: ["outcomes"]),
    .executable(name: "outcomes-bench", targets: ["outcomes-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    // C libraries: module maps only.
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke",
                   providers: [.apt(["liblapacke-dev"])]),
    .systemLibrary(name: "CRmath", providers: [.apt(["r-mathlib"])]),
    .systemLibrary(name: "CReadStat", providers: [.apt(["libreadstat-dev"])]),
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CXLSXWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
    .systemLibrary(name: "CMalloc"),

    // Numerics.
    .target(name: "LinearAlgebra", dependencies: ["CBLAS", "CLAPACKE"]),
    .target(name: "Distributions", dependencies: ["CRmath"]),

    // Data.
    .target(name: "Tabular", dependencies: ["CMalloc"], exclude: ["README.md"]),
    .target(name: "ModelFrame", dependencies: ["Tabular", "LinearAlgebra"], exclude: ["README.md"]),
    .target(name: "DataFiles", dependencies: ["Tabular", "CReadStat", "CSQLite"]),

    // Analyses.
    .target(name: "Survival", dependencies: ["ModelFrame", "LinearAlgebra", "Distributions", "CBLAS"],
            exclude: ["README.md"]),

    .target(name: "Rates", dependencies: ["ModelFrame", "Tabular", "Distributions", "LinearAlgebra"], exclude: ["README.md"]),
    .target(name: "StudyDesign", dependencies: ["Distributions", "Tabular"], exclude: ["README.md"]),
    .target(name: "Descriptive", dependencies: ["Distributions", "Rates", "Tabular"], exclude: ["README.md"]),

    // Analyses as values: options, run, results; every front end goes through it.
    .target(name: "Analyses", dependencies: ["Survival", "Rates", "StudyDesign", "Descriptive", "ModelFrame", "Tabular", "DataFiles",
                                             "Rendering", "Figures"], exclude: ["README.md"]),

    // Output.
    .target(name: "Rendering"),
    .target(name: "Figures", dependencies: ["Rendering"]),
    .target(name: "Spreadsheet", dependencies: ["Rendering", "CXLSXWriter"]),
    // YAML to analysis options, with key paths and lines for errors.
    .target(name: "SpecFiles", dependencies: ["Analyses", "Tabular", .product(name: "Yams", package: "Yams")]),
    .target(name: "Check", dependencies: ["Analyses", "SpecFiles", "Rendering", "Tabular", "Distributions", .product(name: "Yams", package: "Yams")]),
    .target(name: "Reports", dependencies: ["Analyses", "SpecFiles", "Rendering", "Tabular", .product(name: "Yams", package: "Yams")]),

    // Entry points.
    .target(name: "OutcomesCLI", dependencies: [
      "Analyses", "Reports", "Check", "Spreadsheet", "Rendering", "Tabular", "LinearAlgebra",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "outcomes", dependencies: ["OutcomesCLI", "Tabular"]),
    .executableTarget(name: "outcomes-fuzz", dependencies: ["DataFiles", "Tabular", "ModelFrame", "Reports", "Check"]),
    .executableTarget(name: "outcomes-bench", dependencies: ["Survival", "ModelFrame", "Tabular", "LinearAlgebra", "DataFiles"]),

    // Tests.
    .target(name: "TestSupport", dependencies: ["Rendering"], path: "Tests/TestSupport"),
    .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
    .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
    .testTarget(name: "DistributionsTests", dependencies: ["Distributions", "TestSupport"]),
    .testTarget(name: "TabularTests", dependencies: ["Tabular", "TestSupport"]),
    .testTarget(name: "ModelFrameTests", dependencies: ["ModelFrame", "Tabular", "LinearAlgebra", "TestSupport"],
                exclude: ["References"]),
    .testTarget(name: "SurvivalTests", dependencies: ["Survival", "ModelFrame", "Tabular", "Rendering", "TestSupport"],
                exclude: ["References", "CoxReferences", "CoxPredictions", "CoxMarginal"]),
    .testTarget(name: "RenderingTests", dependencies: ["Rendering", "TestSupport"]),
    .testTarget(name: "SpreadsheetTests", dependencies: ["Spreadsheet", "Rendering"]),
    .testTarget(name: "DataFilesTests", dependencies: ["DataFiles", "Tabular", "TestSupport"], exclude: ["Files"]),
    .testTarget(name: "CheckTests", dependencies: ["Check", "Analyses", "Rendering", "TestSupport"], exclude: ["manuscript.md"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "Figures", "Rendering", "Tabular", "TestSupport"]),
    .testTarget(name: "DescriptiveTests", dependencies: ["Descriptive", "Rendering", "Tabular", "TestSupport"],
                exclude: ["References"]),
    .testTarget(name: "AnalysesTests", dependencies: ["Analyses", "Reports", "Check", "SpecFiles", "Rendering", "Tabular", "ModelFrame", "TestSupport", "outcomes"]),
    .testTarget(name: "RatesTests", dependencies: ["Rates", "Distributions", "ModelFrame", "Tabular", "TestSupport"],
                exclude: ["References", "CompareReferences", "CMHReferences", "LogisticReferences"]),
    .testTarget(name: "StudyDesignTests", dependencies: ["StudyDesign", "Distributions", "Rendering", "TestSupport"],
                exclude: ["References"]),
    .testTarget(name: "OutcomesCLITests", dependencies: [
      "OutcomesCLI", "Analyses", "Reports", "SpecFiles", "TestSupport", "outcomes",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], exclude: ["Residuals"]),
  ]
)
