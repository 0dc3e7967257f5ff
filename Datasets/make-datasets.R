#!/usr/bin/env Rscript
# Writes the bundled data sets (Datasets/*.csv) from the R packages that ship
# them, unchanged: same rows, same columns, same coding. See Datasets/README.md.
#
#   Rscript Datasets/make-datasets.R          (from the repository root)
#
# Needs R with the survival, MASS and carData packages
# (Debian: r-base-core r-cran-survival r-cran-mass r-cran-cardata).
suppressPackageStartupMessages({
  library(survival)
  library(MASS)
  library(carData)
})

dir <- "Datasets"
write_set <- function(df, name) {
  # Factors are written as their labels; numbers with 15 significant digits
  # (R's default), which round-trips every value in these data sets.
  write.csv(df, file.path(dir, paste0(name, ".csv")), row.names = FALSE, na = "NA")
}

write_set(survival::lung, "lung")
write_set(survival::veteran, "veteran")
write_set(survival::aml, "aml")
write_set(survival::ovarian, "ovarian")
write_set(survival::colon, "colon")
write_set(survival::pbc, "pbc")
write_set(survival::heart, "heart")
write_set(MASS::gehan, "gehan")
write_set(carData::Rossi, "rossi")

cat("R:", R.version.string, "\n")
cat("survival", as.character(packageVersion("survival")),
    "MASS", as.character(packageVersion("MASS")),
    "carData", as.character(packageVersion("carData")), "\n")
