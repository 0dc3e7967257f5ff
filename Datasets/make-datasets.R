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
write_set(survival::bladder2, "bladder2")
write_set(MASS::gehan, "gehan")
write_set(carData::Rossi, "rossi")

# Contingency tables as one row per subject, so that outcomes reads them as
# any other data: each cell of the table repeated Freq times, in the order of
# as.data.frame(table).
expand_table <- function(tab) {
  df <- as.data.frame(tab, stringsAsFactors = FALSE)
  rows <- rep(seq_len(nrow(df)), df$Freq)
  out <- df[rows, setdiff(names(df), "Freq"), drop = FALSE]
  rownames(out) <- NULL
  out
}
# Graduate admissions at UC Berkeley, 1973, by department (datasets::UCBAdmissions).
write_set(expand_table(datasets::UCBAdmissions), "ucb-admissions")
# Penicillin and rabbits (R's mantelhaen.test example): Agresti (1990), p. 233,
# from Mantel (1963).
rabbits <- array(c(0, 0, 6, 5,  3, 0, 3, 6,  6, 2, 0, 4,  5, 6, 1, 0,  2, 5, 0, 0),
                 dim = c(2, 2, 5),
                 dimnames = list(Delay = c("None", "1.5h"), Response = c("Cured", "Died"),
                                 Penicillin.Level = c("1/8", "1/4", "1/2", "1", "4")))
write_set(expand_table(as.table(rabbits)), "penicillin-rabbits")

cat("R:", R.version.string, "\n")
cat("survival", as.character(packageVersion("survival")),
    "MASS", as.character(packageVersion("MASS")),
    "carData", as.character(packageVersion("carData")), "\n")
