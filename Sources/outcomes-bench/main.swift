// outcomes-bench: side-by-side benchmarks of outcomes against R and lifelines,
// measured in one run with the ratios printed. Not a test: timings live here
// and in docs/PERFORMANCE.md, never in unit tests.
//
//   swift build -c release
//   .build/release/outcomes-bench km  [--rows N] [--repeat K] [--no-peers]
//   .build/release/outcomes-bench cox [--sizes 10000,100000,1000000] [--columns 5,10,20] [--no-peers]
//   .build/release/outcomes-bench formats [--rows 1000000]
//   .build/release/outcomes-bench cli [--sizes 10000,1000000,10000000] [--formats text,json,csv,md,xlsx]
//   .build/release/outcomes-bench ingest [--rows 1000000] [--repeat 3]

import Foundation
import LinearAlgebra
import Tabular

BLAS.useSingleThreadedKernels()
MemoryPolicy.returnFreedBlocks()

var arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "km"
if !arguments.isEmpty { arguments.removeFirst() }
do {
  switch mode {
  case "km": try kaplanMeierBench(arguments)
  case "cox": try coxBench(arguments)
  case "--load-only": try kaplanMeierBench(["--load-only"] + arguments)
  case "cox-fit-once": try coxFitOnce(arguments)
  case "formats": try dataFormatsBench(arguments)
  case "cli": try cliBench(arguments)
  case "ingest": try ingestBench(arguments)
  case "ingest-once": try ingestOnce(arguments)
  default:
    FileHandle.standardError.write(Data("usage: outcomes-bench km|cox|formats|cli|ingest [options]\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("outcomes-bench: \(error)\n".utf8))
  exit(1)
}
