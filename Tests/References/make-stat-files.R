#!/usr/bin/env Rscript
# Writes the SAS, Stata and SPSS test files of Tests/DataFilesTests/Files from
# the bundled data sets, with R's haven (Debian: r-cran-haven):
#
#   Rscript Tests/References/make-stat-files.R      (from the repository root)
#
# - veteran.{xpt,v8.xpt,sas7bdat,dta,sav}: survival::veteran as in
#   Datasets/veteran.csv, for the test that every format gives the same JSON;
# - adtte.{xpt,csv}: the NCCTG colon-cancer trial (survival::colon, one record
#   per patient and event type) in the CDISC ADaM ADTTE layout: STUDYID,
#   USUBJID, PARAMCD (RECUR, DEATH), PARAM, AVAL (days), CNSR (1 = censored),
#   TRTP, with variable labels;
# - labelled.{dta,sav}: veteran with value labels on trt (1 = standard,
#   2 = test) and prior (0 = no, 10 = yes), a date column, and user-missing
#   karno codes (SPSS), for labels, dates and missing values.
suppressPackageStartupMessages(library(haven))
out <- "Tests/DataFilesTests/Files"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
veteran <- read.csv("Datasets/veteran.csv")

write_xpt(veteran, file.path(out, "veteran.xpt"), version = 5, name = "VETERAN")
write_xpt(veteran, file.path(out, "veteran.v8.xpt"), version = 8, name = "VETERAN")
suppressWarnings(write_sas(veteran, file.path(out, "veteran.sas7bdat")))
write_dta(veteran, file.path(out, "veteran.dta"), version = 14)
write_sav(veteran, file.path(out, "veteran.sav"))

colon <- read.csv("Datasets/colon.csv")
adtte <- data.frame(
  STUDYID = "NCCTG-COLON",
  USUBJID = sprintf("COLON-%04d", colon$id),
  PARAMCD = ifelse(colon$etype == 1, "RECUR", "DEATH"),
  PARAM = ifelse(colon$etype == 1, "Time to recurrence (days)", "Time to death (days)"),
  AVAL = colon$time,
  CNSR = 1 - colon$status,
  TRTP = colon$rx,
  stringsAsFactors = FALSE)
labels <- c(STUDYID = "Study Identifier", USUBJID = "Unique Subject Identifier", PARAMCD = "Parameter Code",
            PARAM = "Parameter", AVAL = "Analysis Value", CNSR = "Censor", TRTP = "Planned Treatment")
for (v in names(labels)) attr(adtte[[v]], "label") <- labels[[v]]
write_xpt(adtte, file.path(out, "adtte.xpt"), version = 5, name = "ADTTE")
write.csv(adtte, file.path(out, "adtte.csv"), row.names = FALSE, na = "NA")

lab <- veteran
lab$trt <- labelled(lab$trt, c(standard = 1, test = 2), label = "Treatment")
lab$prior <- labelled(lab$prior, c(no = 0, yes = 10), label = "Prior therapy")
lab$entry <- as.Date("1970-01-01") + seq_len(nrow(lab))
write_dta(lab, file.path(out, "labelled.dta"), version = 14)
spss <- lab
spss$karno <- labelled_spss(ifelse(seq_len(nrow(spss)) %% 10 == 0, 999, spss$karno), na_values = 999, label = "Karnofsky")
write_sav(spss, file.path(out, "labelled.sav"))
cat("haven", as.character(packageVersion("haven")), "wrote", length(list.files(out)), "files to", out, "\n")
