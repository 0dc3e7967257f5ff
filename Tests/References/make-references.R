#!/usr/bin/env Rscript
# Writes the R reference fixtures the Swift tests compare against, at full
# precision (%.17g), in the JSON shape of the outcomes contract.
#
#   Rscript Tests/References/make-references.R     (from the repository root)
#
# Needs R 4.2 with survival 3.5, MASS, numDeriv and brglm2 (Debian: r-base-core
# r-cran-survival r-cran-mass r-cran-numderiv r-cran-brglm2).
# Every case reads its data from Datasets/*.csv with read.csv, so R and
# outcomes start from the same bytes. Each fixture records the R call.
suppressPackageStartupMessages(library(survival))
suppressPackageStartupMessages(library(splines))
invisible(Sys.setlocale("LC_COLLATE", "C"))  # factor levels in byte order, as the contract

out_dir <- "Tests/SurvivalTests/References"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---- a minimal JSON writer (no dependency) --------------------------------
num <- function(x) {
  if (length(x) != 1) stop("scalar expected")
  if (is.na(x) || !is.finite(x)) return("null")
  if (x == round(x) && abs(x) < 2^53) return(sprintf("%.0f", x))
  sprintf("%.17g", x)
}
str_json <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  paste0("\"", s, "\"")
}
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      keys <- names(x)
      parts <- vapply(seq_along(x), function(i) paste0(str_json(keys[i]), ": ", to_json(x[[i]])), "")
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ",\n "), "]"))
  }
  if (is.character(x)) {
    if (length(x) == 1) return(str_json(x))
    return(paste0("[", paste(vapply(x, str_json, ""), collapse = ", "), "]"))
  }
  if (is.logical(x) && length(x) == 1 && !is.na(x)) return(if (x) "true" else "false")
  if (length(x) == 1) return(num(as.numeric(x)))
  paste0("[", paste(vapply(as.numeric(x), num, ""), collapse = ", "), "]")
}
scalar_list <- function(...) list(...)

header <- list(R = R.version.string, survival = as.character(packageVersion("survival")))

write_case <- function(id, call, args, expect) {
  case <- list(id = id, reference = header, call = call, args = args, expect = expect)
  writeLines(to_json(case), file.path(out_dir, paste0(id, ".json")))
}

read_set <- function(name) read.csv(file.path("Datasets", paste0(name, ".csv")))

# Labels as outcomes writes them: R pads the second and later variables of
# strata() to a common width; the contract's labels are unpadded.
clean_label <- function(s) gsub(" +(,|$)", "\\1", s)

# ---- Kaplan-Meier ---------------------------------------------------------
# event: the name of a 0/1 event column added to `data` for the reverse KM.
# survfit_args: further survfit() arguments (stype, ctype, conf.lower,
# start.time, robust); probs: quantile(fit, probs); extend: summary(fit,
# times, extend =).
km_case <- function(id, data_name, data, formula, args, conf.type = "log", conf.int = 0.95,
                    times = NULL, tau = NULL, weights = NULL, reverse_formula,
                    path = paste0("Datasets/", data_name, ".csv"), survfit_args = list(), probs = NULL,
                    extend = FALSE) {
  data$.w <- if (is.null(weights)) rep(1, nrow(data)) else data[[weights]]
  fit <- do.call(survfit, c(list(formula, data = data, conf.type = conf.type, conf.int = conf.int, weights = data$.w),
                            survfit_args))
  rev <- do.call(survfit, c(list(reverse_formula, data = data, weights = data$.w), survfit_args["start.time"][!is.null(survfit_args$start.time)]))
  q <- quantile(fit, 0.5)
  qs <- if (!is.null(probs)) quantile(fit, probs)
  qr <- quantile(rev, 0.5, conf.int = FALSE)
  s <- summary(fit, censored = TRUE)
  nstrata <- if (is.null(fit$strata)) 1 else length(fit$strata)
  labels <- if (is.null(fit$strata)) "all" else clean_label(names(fit$strata))
  sgroup <- if (is.null(s$strata)) rep(1, length(s$time)) else as.integer(s$strata)
  if (!is.null(tau)) rm_table <- summary(fit, rmean = tau)$table
  if (!is.null(times)) st <- summary(fit, times = times, extend = extend)
  groups <- list()
  for (g in seq_len(nstrata)) {
    w <- which(sgroup == g)
    steps <- lapply(w, function(i) list(time = s$time[i], n_risk = s$n.risk[i], n_event = s$n.event[i],
                                        n_censor = s$n.censor[i], surv = s$surv[i], std_err = s$std.err[i],
                                        lower = s$lower[i], upper = s$upper[i], cumhaz = s$cumhaz[i],
                                        std_chaz = s$std.chaz[i]))
    pick <- function(v) if (nstrata == 1) unname(v[1]) else unname(v[g])
    grp <- list(label = labels[g], n = fit$n[g], events = sum(s$n.event[w]),
                median = pick(if (is.matrix(q$quantile)) q$quantile[, 1] else q$quantile),
                median_lower = pick(if (is.matrix(q$lower)) q$lower[, 1] else q$lower),
                median_upper = pick(if (is.matrix(q$upper)) q$upper[, 1] else q$upper),
                median_followup = pick(if (is.matrix(qr)) qr[, 1] else qr))
    if (!is.null(tau)) {
      row <- if (is.matrix(rm_table)) rm_table[g, ] else rm_table
      grp$rmst <- list(tau = tau, estimate = unname(row["rmean"]), se = unname(row["se(rmean)"]))
    }
    if (!is.null(probs)) {
      at_g <- function(m, k) unname(if (is.matrix(m)) m[g, k] else m[k])
      grp$quantiles <- lapply(seq_along(probs), function(k)
        list(p = probs[k], time = at_g(qs$quantile, k), lower = at_g(qs$lower, k), upper = at_g(qs$upper, k)))
    }
    grp$steps <- steps
    if (!is.null(times)) {
      tg <- if (is.null(st$strata)) seq_along(st$time) else which(as.integer(st$strata) == g)
      grp$at <- lapply(tg, function(i) list(time = st$time[i], n_risk = st$n.risk[i], n_event = st$n.event[i],
                                            n_censor = st$n.censor[i], surv = st$surv[i], std_err = st$std.err[i],
                                            lower = st$lower[i], upper = st$upper[i], cumhaz = st$cumhaz[i],
                                            std_chaz = st$std.chaz[i]))
    }
    groups[[g]] <- grp
  }
  expect <- list(n = sum(fit$n), n_dropped = length(fit$na.action), conf_type = conf.type,
                 conf_level = conf.int,
                 estimator = if (identical(survfit_args$stype, 2)) "fh" else "km",
                 cumhaz_estimator = if (identical(survfit_args$ctype, 2)) "fleming-harrington" else "nelson-aalen",
                 conf_lower = if (is.null(survfit_args$conf.lower)) "usual" else survfit_args$conf.lower,
                 groups = groups)
  if (!is.null(survfit_args$start.time)) expect$start_time <- survfit_args$start.time
  extra <- if (length(survfit_args)) paste0(", ", paste(names(survfit_args), vapply(survfit_args, deparse1, ""),
                                                        sep = " = ", collapse = ", ")) else ""
  call <- paste0("survfit(", deparse1(formula), ", data = read.csv(\"", path,
                 "\"), conf.type = \"", conf.type, "\", conf.int = ", conf.int,
                 if (is.null(weights)) "" else paste0(", weights = ", weights), extra, ")",
                 if (is.null(probs)) "" else paste0("; quantile(fit, ", deparse1(probs), ")"),
                 if (extend) "; summary(fit, times, extend = TRUE)" else "")
  write_case(id, call, c("km", "--data", path, args), expect)
}

lung <- read_set("lung")
lung$ev <- as.integer(lung$status == 2)
aml <- read_set("aml")
veteran <- read_set("veteran")
heart <- read_set("heart")
gehan <- read_set("gehan")
pbc <- read_set("pbc")

km_case("km-lung-sex", "lung", lung, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--times", "90,180,365,730,1000", "--tau", "365"),
        times = c(90, 180, 365, 730, 1000), tau = 365, reverse_formula = Surv(time, 1 - ev) ~ sex)
km_case("km-lung-all-loglog", "lung", lung, Surv(time, status) ~ 1,
        c("--formula", "Surv(time, status) ~ 1", "--conf-type", "log-log", "--times", "0,100,365.25,500", "--tau", "730"),
        conf.type = "log-log", times = c(0, 100, 365.25, 500), tau = 730, reverse_formula = Surv(time, 1 - ev) ~ 1)
km_case("km-lung-sex-ecog-plain-cl90", "lung", lung, Surv(time, status) ~ sex + ph.ecog,
        c("--formula", "Surv(time, status) ~ sex + ph.ecog", "--conf-type", "plain", "--conf-level", "0.9"),
        conf.type = "plain", conf.int = 0.9, reverse_formula = Surv(time, 1 - ev) ~ sex + ph.ecog)
for (ct in c("log", "log-log", "plain", "logit", "arcsin")) {
  aml$ev <- aml$status
  km_case(paste0("km-aml-x-", ct), "aml", aml, Surv(time, status) ~ x,
          c("--formula", "Surv(time, status) ~ x", "--conf-type", ct, "--tau", "40", "--times", "10,20,30,45"),
          conf.type = ct, tau = 40, times = c(10, 20, 30, 45), reverse_formula = Surv(time, 1 - ev) ~ x)
}
veteran$ev <- veteran$status
km_case("km-veteran-celltype-cl99", "veteran", veteran, Surv(time, status) ~ celltype,
        c("--formula", "Surv(time, status) ~ celltype", "--conf-level", "0.99", "--tau", "500"),
        conf.int = 0.99, tau = 500, reverse_formula = Surv(time, 1 - ev) ~ celltype)
gehan$ev <- gehan$cens
km_case("km-gehan-treat", "gehan", gehan, Surv(time, cens) ~ treat,
        c("--formula", "Surv(time, cens) ~ treat"), reverse_formula = Surv(time, 1 - ev) ~ treat)
pbc$ev <- as.integer(pbc$status == 2)
km_case("km-pbc-death-trt", "pbc", pbc, Surv(time, status == 2) ~ trt,
        c("--formula", "Surv(time, status == 2) ~ trt", "--times", "1000,2000,3000"),
        times = c(1000, 2000, 3000), reverse_formula = Surv(time, 1 - ev) ~ trt)
heart$ev <- heart$event
km_case("km-heart-counting-transplant", "heart", heart, Surv(start, stop, event) ~ transplant,
        c("--formula", "Surv(start, stop, event) ~ transplant", "--tau", "365", "--times", "30,100,365"),
        tau = 365, times = c(30, 100, 365), reverse_formula = Surv(start, stop, 1 - ev) ~ transplant)
km_case("km-heart-counting-all-loglog", "heart", heart, Surv(start, stop, event) ~ 1,
        c("--formula", "Surv(start, stop, event) ~ 1", "--conf-type", "log-log"),
        conf.type = "log-log", reverse_formula = Surv(start, stop, 1 - ev) ~ 1)
# Case weights: integers keep Greenwood; fractions switch R to the jackknife.
# Derived tables are written first and read back, so both sides read the same text.
derived <- function(df, name) {
  path <- file.path("Tests/SurvivalTests/References", paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE)
  list(path = path, data = read.csv(path))
}
lw <- lung[, c("time", "status", "sex", "ph.ecog")]
lw$wint <- (seq_len(nrow(lw)) %% 3) + 1
lw$wfrac <- ((seq_len(nrow(lw)) %% 4) + 1) / 2.5
lw <- derived(lw, "lung-weights")
lw$data$ev <- as.integer(lw$data$status == 2)
km_case("km-lung-sex-weights-integer", "lung-weights", lw$data, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--weights", "wint", "--tau", "500"),
        tau = 500, weights = "wint", reverse_formula = Surv(time, 1 - ev) ~ sex, path = lw$path)
km_case("km-lung-sex-weights-fraction", "lung-weights", lw$data, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--weights", "wfrac", "--times", "200,400"),
        weights = "wfrac", times = c(200, 400), reverse_formula = Surv(time, 1 - ev) ~ sex, path = lw$path)
hw <- heart[, c("start", "stop", "event", "transplant")]
hw$wfrac <- ((seq_len(nrow(hw)) %% 3) + 1) / 1.5
hw <- derived(hw, "heart-weights")
hw$data$ev <- hw$data$event
km_case("km-heart-counting-weights-fraction", "heart-weights", hw$data, Surv(start, stop, event) ~ 1,
        c("--formula", "Surv(start, stop, event) ~ 1", "--weights", "wfrac"),
        weights = "wfrac", reverse_formula = Surv(start, stop, 1 - ev) ~ 1, path = hw$path)
# R's options: quantiles with limits, extend, stype/ctype, conf.lower,
# start.time, robust = FALSE / TRUE.
km_case("km-aml-quantiles-extend", "aml", aml, Surv(time, status) ~ x,
        c("--formula", "Surv(time, status) ~ x", "--quantiles", "0.25,0.5,0.75", "--times", "10,40,100,200", "--extend"),
        probs = c(0.25, 0.5, 0.75), times = c(10, 40, 100, 200), extend = TRUE,
        reverse_formula = Surv(time, 1 - status) ~ x)
km_case("km-aml-fh-fh-loglog", "aml", aml, Surv(time, status) ~ x,
        c("--formula", "Surv(time, status) ~ x", "--estimator", "fh", "--cumhaz", "fleming-harrington", "--conf-type", "log-log",
          "--quantiles", "0.5,0.75"),
        conf.type = "log-log", survfit_args = list(stype = 2, ctype = 2), probs = c(0.5, 0.75),
        reverse_formula = Surv(time, 1 - status) ~ x)
km_case("km-lung-fh-nelson-aalen", "lung", lung, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--estimator", "fh", "--times", "180,365", "--tau", "365"),
        survfit_args = list(stype = 2), times = c(180, 365), tau = 365, reverse_formula = Surv(time, 1 - ev) ~ sex)
km_case("km-lung-fh-hazard-only", "lung", lung, Surv(time, status) ~ ph.ecog,
        c("--formula", "Surv(time, status) ~ ph.ecog", "--cumhaz", "fleming-harrington"),
        survfit_args = list(ctype = 2), reverse_formula = Surv(time, 1 - ev) ~ ph.ecog)
km_case("km-lung-modified-lower", "lung", lung, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--conf-lower", "modified", "--conf-type", "plain", "--quantiles", "0.25,0.5"),
        conf.type = "plain", survfit_args = list(conf.lower = "modified"), probs = c(0.25, 0.5),
        reverse_formula = Surv(time, 1 - ev) ~ sex)
km_case("km-lung-start-time", "lung", lung, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--start-time", "180", "--times", "365,730", "--tau", "730"),
        survfit_args = list(start.time = 180), times = c(365, 730), tau = 730,
        reverse_formula = Surv(time, 1 - ev) ~ sex)
km_case("km-heart-counting-start-time", "heart", heart, Surv(start, stop, event) ~ transplant,
        c("--formula", "Surv(start, stop, event) ~ transplant", "--start-time", "30"),
        survfit_args = list(start.time = 30), reverse_formula = Surv(start, stop, 1 - ev) ~ transplant)
km_case("km-lung-weights-fraction-greenwood", "lung-weights", lw$data, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--weights", "wfrac", "--variance", "greenwood"),
        weights = "wfrac", survfit_args = list(robust = FALSE), reverse_formula = Surv(time, 1 - ev) ~ sex, path = lw$path)
km_case("km-lung-weights-integer-robust", "lung-weights", lw$data, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--weights", "wint", "--variance", "robust"),
        weights = "wint", survfit_args = list(robust = TRUE), reverse_formula = Surv(time, 1 - ev) ~ sex, path = lw$path)
# Near-tied times (aeqSurv): values 1e-10 apart are one time in R.
near <- derived(data.frame(time = c(1, 1 + 1e-10, 2, 2, 3 - 1e-12, 3, 4, 5, 5 + 2e-9, 6),
                           status = c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1), g = rep(c("a", "b"), 5)), "near-ties")
near_path <- near$path
near <- near$data
near$ev <- near$status
km_case("km-near-ties", "near-ties", near, Surv(time, status) ~ 1,
        c("--formula", "Surv(time, status) ~ 1"), reverse_formula = Surv(time, 1 - ev) ~ 1, path = near_path)

# ---- log-rank (survdiff) ---------------------------------------------------
lr_case <- function(id, data_name, data, formula, args, rho = 0,
                    path = paste0("Datasets/", data_name, ".csv")) {
  sd <- survdiff(formula, data = data, rho = rho)
  otmp <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  etmp <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  df <- sum(etmp > 0) - 1
  groups <- lapply(seq_along(sd$n), function(i)
    list(label = clean_label(names(sd$n)[i]), n = unname(sd$n[i]), observed = unname(otmp[i]),
         expected = unname(etmp[i]), variance = sd$var[i, i]))
  expect <- list(n = sum(sd$n), n_dropped = length(sd$na.action), rho = rho, chisq = sd$chisq, df = df,
                 p = pchisq(sd$chisq, df, lower.tail = FALSE), groups = groups)
  call <- paste0("survdiff(", deparse1(formula), ", data = read.csv(\"", path, "\"), rho = ", rho, ")")
  write_case(id, call, c("logrank", "--data", path, args), expect)
}
lr_case("logrank-lung-sex", "lung", lung, Surv(time, status) ~ sex, c("--formula", "Surv(time, status) ~ sex"))
lr_case("logrank-lung-sex-rho1", "lung", lung, Surv(time, status) ~ sex,
        c("--formula", "Surv(time, status) ~ sex", "--rho", "1"), rho = 1)
lr_case("logrank-lung-ecog-rho0.5", "lung", lung, Surv(time, status) ~ ph.ecog,
        c("--formula", "Surv(time, status) ~ ph.ecog", "--rho", "0.5"), rho = 0.5)
lr_case("logrank-lung-sex-strata-ecog", "lung", lung, Surv(time, status) ~ sex + strata(ph.ecog),
        c("--formula", "Surv(time, status) ~ sex + strata(ph.ecog)"))
lr_case("logrank-lung-sex-strata-inst-ecog-rho1", "lung", lung, Surv(time, status) ~ sex + strata(inst, ph.ecog),
        c("--formula", "Surv(time, status) ~ sex + strata(inst, ph.ecog)", "--rho", "1"), rho = 1)
lr_case("logrank-veteran-celltype", "veteran", veteran, Surv(time, status) ~ celltype,
        c("--formula", "Surv(time, status) ~ celltype"))
lr_case("logrank-veteran-trt-celltype", "veteran", veteran, Surv(time, status) ~ trt + celltype,
        c("--formula", "Surv(time, status) ~ trt + celltype"))
lr_case("logrank-gehan-treat", "gehan", gehan, Surv(time, cens) ~ treat, c("--formula", "Surv(time, cens) ~ treat"))
lr_case("logrank-pbc-death-trt", "pbc", pbc, Surv(time, status == 2) ~ trt,
        c("--formula", "Surv(time, status == 2) ~ trt"))
lr_case("logrank-near-ties", "near-ties", near, Surv(time, status) ~ g, c("--formula", "Surv(time, status) ~ g"),
        path = near_path)

# ---- weighted k-sample tests (SAS PROC LIFETEST, STRATA / TEST=) ----------
# survdiff has the G-rho family with gamma = 0 only. The other weights of
# SAS/STAT's "Weight Functions for Various Tests" (LIFETEST details, "Rank
# Tests for the Association of Survival Time with Covariates"... k-sample
# tests) are computed here from their definitions, time by time on the pooled
# risk sets, with survdiff's hypergeometric variance: Wilcoxon (Gehan) w = Y,
# Tarone-Ware sqrt(Y), Peto-Peto S~(t) = prod_{t_j <= t} (1 - d_j/(Y_j + 1)),
# modified Peto-Peto S~(t) Y/(Y + 1), Fleming-Harrington S(t-)^rho (1 - S(t-))^gamma.
weighted_lr <- function(time, status, group, strata, test, rho = 0, gamma = 0) {
  lev <- sort(unique(group))
  k <- length(lev)
  O <- E <- numeric(k)
  V <- matrix(0, k, k)
  for (s in unique(strata)) {
    idx <- strata == s
    t <- time[idx]; d <- status[idx]; g <- group[idx]
    S <- 1; St <- 1
    for (u in sort(unique(t))) {
      Y <- sum(t >= u); D <- sum(t == u & d == 1)
      Sminus <- S
      St <- St * (1 - D / (Y + 1))
      S <- S * (1 - D / Y)
      if (D == 0) next
      w <- switch(test, logrank = 1, gehan = Y, "tarone-ware" = sqrt(Y), peto = St,
                  "modified-peto" = St * Y / (Y + 1), fh = Sminus^rho * (1 - Sminus)^gamma)
      Yk <- vapply(lev, function(l) sum(t >= u & g == l), 0)
      Dk <- vapply(lev, function(l) sum(t == u & d == 1 & g == l), 0)
      O <- O + w * Dk
      E <- E + w * D * Yk / Y
      if (Y > 1) V <- V + w^2 * D * (Y - D) / (Y * (Y - 1)) * (diag(Yk, k) - outer(Yk, Yk) / Y)
    }
  }
  used <- which(E > 0)[-1]
  chisq <- drop((O - E)[used] %*% solve(V[used, used, drop = FALSE], (O - E)[used]))
  list(levels = lev, n = as.vector(table(factor(group, levels = lev))), O = O, E = E, V = V,
       chisq = chisq, df = length(used))
}
wlr_case <- function(id, data_name, data, time, status, group, strata, group_label, formula_text, test,
                     rho = 0, gamma = 0) {
  ok <- !is.na(data[[time]]) & !is.na(data[[status]]) & !is.na(data[[group]]) &
    (if (is.null(strata)) TRUE else !is.na(data[[strata]]))
  d <- data[ok, ]
  st <- if (is.null(strata)) rep(1, nrow(d)) else d[[strata]]
  r <- weighted_lr(d[[time]], as.numeric(d[[status]] == max(d[[status]])), as.character(d[[group]]), st, test, rho, gamma)
  if (test == "logrank" || (test == "fh" && gamma == 0)) {
    sd <- survdiff(as.formula(formula_text), data = data, rho = rho)
    stopifnot(isTRUE(all.equal(sd$chisq, r$chisq, tolerance = 1e-12)))
  }
  groups <- lapply(seq_along(r$levels), function(i)
    list(label = paste0(group_label, "=", r$levels[i]), n = r$n[i], observed = r$O[i], expected = r$E[i],
         variance = r$V[i, i]))
  args <- c("--formula", formula_text, "--test", test)
  if (test == "fh") args <- c(args, "--rho", as.character(rho), "--gamma", as.character(gamma))
  expect <- list(n = nrow(d), test = if (test == "fh" && rho == 0 && gamma == 0) "logrank" else test,
                 chisq = r$chisq, df = r$df, p = pchisq(r$chisq, r$df, lower.tail = FALSE), groups = groups)
  call <- paste0("weighted_lr(", test, ", rho = ", rho, ", gamma = ", gamma, ") on ", formula_text,
                 ", data = read.csv(\"Datasets/", data_name, ".csv\") (make-references.R)")
  write_case(id, call, c("logrank", "--data", paste0("Datasets/", data_name, ".csv"), args), expect)
}
for (test in c("gehan", "tarone-ware", "peto", "modified-peto")) {
  wlr_case(paste0("logrank-gehan-treat-", test), "gehan", gehan, "time", "cens", "treat", NULL, "treat",
           "Surv(time, cens) ~ treat", test)
}
wlr_case("logrank-gehan-treat-fh-1-1", "gehan", gehan, "time", "cens", "treat", NULL, "treat",
         "Surv(time, cens) ~ treat", "fh", rho = 1, gamma = 1)
wlr_case("logrank-lung-sex-fh-0-1", "lung", lung, "time", "status", "sex", NULL, "sex",
         "Surv(time, status) ~ sex", "fh", rho = 0, gamma = 1)
wlr_case("logrank-lung-sex-fh-0.5-0", "lung", lung, "time", "status", "sex", NULL, "sex",
         "Surv(time, status) ~ sex", "fh", rho = 0.5, gamma = 0)
wlr_case("logrank-veteran-celltype-peto", "veteran", veteran, "time", "status", "celltype", NULL, "celltype",
         "Surv(time, status) ~ celltype", "peto")
wlr_case("logrank-lung-sex-strata-ecog-gehan", "lung", lung, "time", "status", "sex", "ph.ecog", "sex",
         "Surv(time, status) ~ sex + strata(ph.ecog)", "gehan")
# SAS's -2Log(LR): the likelihood-ratio test of one exponential rate
# against one per group, which is survreg(dist = "exponential")'s LR test.
exp_lr_case <- function(id, data_name, data, formula_text, group) {
  f <- as.formula(formula_text)
  fit <- survreg(f, data = data, dist = "exponential")
  chisq <- 2 * diff(fit$loglik)
  df <- length(unique(na.omit(data[[group]]))) - 1
  mf <- model.frame(f, data = data)
  y <- mf[[1]]; g <- as.character(mf[[2]])
  lev <- sort(unique(g))
  groups <- lapply(lev, function(l) list(label = paste0(group, "=", l), n = sum(g == l),
                                         observed = sum(y[g == l, 2])))
  expect <- list(n = nrow(mf), test = "lr", chisq = chisq, df = df, p = pchisq(chisq, df, lower.tail = FALSE),
                 groups = groups)
  call <- paste0("2 * diff(survreg(", formula_text, ", data = read.csv(\"Datasets/", data_name,
                 ".csv\"), dist = \"exponential\")$loglik)")
  write_case(id, call, c("logrank", "--data", paste0("Datasets/", data_name, ".csv"), "--formula", formula_text,
                         "--test", "lr"), expect)
}
exp_lr_case("logrank-gehan-treat-lr", "gehan", gehan, "Surv(time, cens) ~ treat", "treat")
exp_lr_case("logrank-veteran-celltype-lr", "veteran", veteran, "Surv(time, status) ~ celltype", "celltype")

# ---- Cox regression (coxph, summary.coxph, cox.zph, residuals, basehaz) ----
cox_dir <- "Tests/SurvivalTests/CoxReferences"
dir.create(cox_dir, showWarnings = FALSE, recursive = TRUE)
# Harrell's C with the pairs of rows whose covariate data are equal counted as
# tied: coxph's linear predictor, with the rows whose values of the formula's variables
# (all but cluster()'s) are equal given one value. coxph's own
# fit$concordance uses X %*% coef through the BLAS, whose kernels can split
# such rows by an ulp (and poly()'s QR gives equal values different last
# bits), so that a tied pair counts as concordant or discordant, differently
# on different machines; the brute-force counts are the stable definition
# (outcomes --concordance-ties covariates; the tests set it for these fixtures).
tied_concordance <- function(fit, data) {
  tt <- terms(fit)
  vars <- as.list(attr(tt, "variables"))[-1]
  if (attr(tt, "response") > 0) vars <- vars[-attr(tt, "response")]
  keep <- unique(unlist(lapply(vars, function(v)
    if (is.call(v) && identical(as.character(v[[1]]), "cluster")) character(0) else all.vars(v))))
  used <- if (is.null(fit$na.action)) seq_len(nrow(data)) else seq_len(nrow(data))[-fit$na.action]
  key <- if (length(keep)) do.call(paste, c(lapply(keep, function(k) format(data[[k]][used], digits = 17)), sep = "\r"))
         else rep("", length(used))
  # coxph's own linear predictor (offset included), one value per key.
  tied <- fit
  tied$linear.predictors <- ave(fit$linear.predictors, key, FUN = function(v) v[1])
  cc <- tryCatch(concordance(tied), error = function(e)
    # concordance() has no method for an exact counting-process fit (an
    # unclassed list); the same computation as coxph's own call.
    survival:::concordancefit(fit$y, tied$linear.predictors, fit$strata, fit$weights, reverse = TRUE, timefix = FALSE))
  list(c = unname(cc$concordance), se = unname(sqrt(cc$var)))
}
cox_case <- function(id, path, formula_text, ties = "efron", zph = NULL, weights = NULL,
                     conf.int = 0.95, extra_args = character(0), robust = FALSE, init = NULL) {
  data <- read.csv(path)
  # cox.zph in survival 3.5-3 fails on integer (start, stop) columns; store doubles.
  data[] <- lapply(data, function(v) if (is.integer(v)) as.numeric(v) else v)
  data$.w <- if (is.null(weights)) rep(1, nrow(data)) else data[[weights]]
  f <- as.formula(formula_text)
  extra <- c(if (robust) list(robust = TRUE), if (!is.null(init)) list(init = init))
  fit <- if (is.null(weights)) do.call(coxph, c(list(f, data = data, ties = ties, x = TRUE, y = TRUE), extra))
         else do.call(coxph, c(list(f, data = data, ties = ties, weights = data$.w, x = TRUE, y = TRUE), extra))
  coef <- coef(fit)
  robust <- !is.null(fit$naive.var)
  naive <- if (robust) fit$naive.var else fit$var
  se <- sqrt(diag(naive))
  rse <- if (robust) sqrt(diag(fit$var)) else rep(NA, length(coef))
  used <- if (robust) rse else se
  z <- coef / used
  zq <- qnorm(1 - (1 - conf.int) / 2)
  terms <- lapply(seq_along(coef), function(k) {
    if (is.na(coef[k])) return(list(term = names(coef)[k], coef = NULL, exp_coef = NULL, se = NULL,
                                    robust_se = NULL, z = NULL, p = NULL, lower = NULL, upper = NULL))
    list(term = names(coef)[k], coef = unname(coef[k]), exp_coef = exp(unname(coef[k])), se = unname(se[k]),
         robust_se = if (robust) unname(rse[k]) else NULL, z = unname(z[k]),
         p = pchisq(unname(z[k])^2, 1, lower.tail = FALSE),
         lower = exp(unname(coef[k]) - zq * unname(used[k])), upper = exp(unname(coef[k]) + zq * unname(used[k])))
  })
  df <- sum(!is.na(coef))
  lr <- 2 * diff(fit$loglik)
  expect <- list(ties = ties, n = fit$n, n_dropped = length(fit$na.action), events = fit$nevent,
                 terms = terms, loglik_null = fit$loglik[1], loglik = fit$loglik[2], iterations = fit$iter,
                 tests = list(likelihood_ratio = list(statistic = lr, df = df, p = pchisq(lr, df, lower.tail = FALSE)),
                              wald = list(statistic = unname(fit$wald.test), df = df,
                                          p = pchisq(unname(fit$wald.test), df, lower.tail = FALSE)),
                              score = list(statistic = unname(fit$score), df = df,
                                           p = pchisq(unname(fit$score), df, lower.tail = FALSE))),
                 concordance = tied_concordance(fit, data))
  if (!is.null(zph)) {
    zt <- cox.zph(fit, transform = zph)$table
    k <- nrow(zt)
    expect$zph <- list(terms = lapply(seq_len(k - 1), function(i)
                         list(term = rownames(zt)[i], chisq = zt[i, 1], df = zt[i, 2], p = zt[i, 3])),
                       global = list(chisq = zt[k, 1], df = zt[k, 2], p = zt[k, 3]))
  }
  # Residuals, per observation in data order (after rows with missing values
  # are dropped); none for the exact likelihood (outcomes gives none).
  exact <- ties == "exact"
  if (!exact) {
    mart <- residuals(fit, "martingale")
    dev <- residuals(fit, "deviance")
    sc <- as.matrix(residuals(fit, "score"))
    dfb <- as.matrix(residuals(fit, "dfbeta"))
    sch <- as.matrix(residuals(fit, "schoenfeld"))
  }
  y <- fit$y; ny <- ncol(y); status <- y[, ny]
  strat <- if (is.null(fit$strata)) rep(1, nrow(y)) else as.numeric(fit$strata)
  ord <- order(strat, y[, ny - 1], -status)
  sch_rows <- ord[status[ord] == 1]
  rows <- if (exact) list() else lapply(seq_len(nrow(y)), function(i) {
    j <- match(i, sch_rows)
    list(martingale = unname(mart[i]), deviance = unname(dev[i]), score = unname(sc[i, ]),
         dfbeta = unname(dfb[i, ]), schoenfeld = if (is.na(j)) NULL else unname(sch[j, ]))
  })
  # survfit.coxph refuses models with a covariate crossed with strata():
  # no baseline is recorded for them (null).
  bh <- if (exact) NULL else tryCatch(suppressWarnings(basehaz(fit, centered = FALSE)), error = function(e) NULL)
  baseline <- if (is.null(bh)) NULL else lapply(seq_len(nrow(bh)), function(i)
    list(time = bh$time[i], hazard = bh$hazard[i],
         strata = if (is.null(bh$strata)) NULL else as.character(bh$strata[i])))
  args <- c("cox", "--data", path, "--formula", formula_text, "--ties", ties)
  if (!is.null(zph)) args <- c(args, "--zph", "--zph-transform", zph)
  if (!is.null(weights)) args <- c(args, "--weights", weights)
  if (conf.int != 0.95) args <- c(args, "--conf-level", as.character(conf.int))
  if (robust) args <- c(args, "--robust")
  if (!is.null(init)) args <- c(args, "--init", paste(init, collapse = ","))
  case <- list(id = id, reference = header,
               call = paste0("coxph(", formula_text, ", data = read.csv(\"", path, "\"), ties = \"", ties, "\"",
                             if (is.null(weights)) "" else paste0(", weights = ", weights),
                             if (robust) ", robust = TRUE" else "",
                             if (is.null(init)) "" else paste0(", init = ", deparse1(init)), ")",
                             if (is.null(zph)) "" else paste0("; cox.zph(fit, transform = \"", zph, "\")"),
                             "; concordance with tied covariates tied (tied_concordance)",
                             "; residuals(fit, type)",
                             if (is.null(bh)) "" else "; basehaz(fit, centered = FALSE)"),
               args = c(args, extra_args), expect = expect, residuals = rows, baseline = baseline,
               coxph_concordance = list(c = unname(fit$concordance["concordance"]), se = unname(fit$concordance["std"])))
  writeLines(to_json(case), file.path(cox_dir, paste0(id, ".json")))
}
cox_case("cox-lung-age-sex-efron", "Datasets/lung.csv", "Surv(time, status) ~ age + sex", zph = "km")
cox_case("cox-lung-age-sex-breslow", "Datasets/lung.csv", "Surv(time, status) ~ age + sex", ties = "breslow", zph = "km")
cox_case("cox-lung-strata-sex-factor-ecog", "Datasets/lung.csv",
         "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)", zph = "km")
cox_case("cox-lung-cluster-inst", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + ph.ecog + cluster(inst)", zph = "km")
cox_case("cox-lung-interaction", "Datasets/lung.csv", "Surv(time, status) ~ age * sex + ph.karno", conf.int = 0.9)
cox_case("cox-veteran-celltype-rank", "Datasets/veteran.csv",
         "Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior", zph = "rank")
cox_case("cox-veteran-strata-breslow", "Datasets/veteran.csv", "Surv(time, status) ~ trt + karno + strata(celltype)",
         ties = "breslow", zph = "identity")
cox_case("cox-ovarian-rx", "Datasets/ovarian.csv", "Surv(futime, fustat) ~ age + factor(rx) + ecog.ps", zph = "identity")
cox_case("cox-colon-cluster-strata", "Datasets/colon.csv",
         "Surv(time, status) ~ rx + sex + age + nodes + strata(etype) + cluster(id)")
cox_case("cox-pbc-death", "Datasets/pbc.csv", "Surv(time, status == 2) ~ age + edema + bili + albumin + protime",
         zph = "log")
cox_case("cox-rossi", "Datasets/rossi.csv", "Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio", zph = "km")
cox_case("cox-rossi-breslow", "Datasets/rossi.csv", "Surv(week, arrest) ~ fin + age + prio", ties = "breslow")
cox_case("cox-heart-counting", "Datasets/heart.csv", "Surv(start, stop, event) ~ age + year + surgery + transplant",
         zph = "km")
cox_case("cox-heart-counting-cluster", "Datasets/heart.csv",
         "Surv(start, stop, event) ~ age + surgery + transplant + cluster(id)", ties = "breslow")
cox_case("cox-lung-weights-integer", "Tests/SurvivalTests/References/lung-weights.csv",
         "Surv(time, status) ~ sex + ph.ecog", weights = "wint", zph = "km")
cox_case("cox-lung-weights-fraction", "Tests/SurvivalTests/References/lung-weights.csv",
         "Surv(time, status) ~ sex + ph.ecog", weights = "wfrac")
cox_case("cox-aml-x", "Datasets/aml.csv", "Surv(time, status) ~ x", zph = "km")
cox_case("cox-gehan-strata-pair", "Datasets/gehan.csv", "Surv(time, cens) ~ treat + strata(pair)")
# '- 1' is ignored by coxph (no intercept exists): treatment contrasts kept.
cox_case("cox-aml-minus-one", "Datasets/aml.csv", "Surv(time, status) ~ x - 1")
# A covariate per stratum: x:strata(s) is one column per level of s (none is
# the reference when x's own main effect is absent), x*strata(s) contrasts
# against the first stratum; the baseline is stratified as with strata(s).
cox_case("cox-lung-covariate-by-stratum", "Datasets/lung.csv", "Surv(time, status) ~ age + sex:strata(ph.ecog)")
cox_case("cox-lung-age-by-strata-sex", "Datasets/lung.csv", "Surv(time, status) ~ age * strata(sex)")
cox_case("cox-veteran-celltype-by-strata-trt", "Datasets/veteran.csv", "Surv(time, status) ~ celltype:strata(trt) + karno",
         ties = "breslow")
# Arithmetic in the response and the terms, cut(), relevel().
cox_case("cox-lung-transformed", "Datasets/lung.csv",
         paste("Surv(time/30.4375, status) ~ I(age/10) + log(ph.karno) + cut(wt.loss, c(-30, 0, 10, 70))",
               "+ relevel(factor(ph.ecog), ref = \"1\")"))
cox_case("cox-lung-splines", "Datasets/lung.csv", "Surv(time, status) ~ ns(ph.karno, df = 3) + poly(age, 2) + sex",
         zph = "km")
# robust = TRUE without cluster(); init (R tests beta against it).
cox_case("cox-lung-robust", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + ph.ecog", robust = TRUE)
cox_case("cox-lung-init", "Datasets/lung.csv", "Surv(time, status) ~ age + sex", init = c(0.01, -0.4))
# offset(): a fixed part of the linear predictor.
cox_case("cox-lung-offset", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + offset(0.5 * ph.ecog)", zph = "km")
cox_case("cox-lung-offset-strata-breslow", "Datasets/lung.csv", "Surv(time, status) ~ age + offset(0.5 * ph.ecog) + strata(sex)",
         ties = "breslow")
# The exact partial likelihood (discrete logistic model): tied data.
cox_case("cox-aml-exact", "Datasets/aml.csv", "Surv(time, status) ~ x", ties = "exact")
cox_case("cox-lung-exact-strata", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + strata(ph.ecog)", ties = "exact")
cox_case("cox-heart-exact-counting", "Datasets/heart.csv", "Surv(start, stop, event) ~ age + transplant", ties = "exact")
cox_case("cox-bladder2-strata-product", "Datasets/bladder2.csv",
         "Surv(start, stop, event) ~ (rx + size + number) * strata(enum)")
# The exact marginal likelihood of tied times (SAS PHREG TIES=EXACT), which R
# lacks: computed here from its definition. At each event time with failures
# D and the rest of the risk set Q, the term is the probability that D all
# fail before anyone in Q: integral over u of exp(-u) prod_{j in D}
# (1 - exp(-a_j u)), a_j = r_j / sum_Q r, by R's integrate() (QUADPACK) at
# rel.tol 1e-13; maximised by BFGS and polished by Newton's method on
# numDeriv's derivatives; SEs from numDeriv's Hessian.
suppressPackageStartupMessages(library(numDeriv))
marg_dir <- "Tests/SurvivalTests/CoxMarginal"
dir.create(marg_dir, showWarnings = FALSE, recursive = TRUE)
marginal_loglik <- function(beta, X, time, status) {
  r <- exp(drop(X %*% beta))
  ll <- 0
  for (t in sort(unique(time[status == 1]))) {
    D <- which(time == t & status == 1)
    Q <- which(time >= t & !(time == t & status == 1))
    if (length(Q) == 0) next
    a <- r[D] / sum(r[Q])
    if (length(D) == 1) { ll <- ll + log(a / (1 + a)); next }
    f <- function(u) exp(-u) * vapply(u, function(v) prod(-expm1(-a * v)), 0)
    ll <- ll + log(integrate(f, 0, Inf, rel.tol = 1e-13, abs.tol = 0, subdivisions = 2000L)$value)
  }
  ll
}
marginal_case <- function(id, path, formula_text) {
  d <- read.csv(path)
  f <- as.formula(formula_text)
  mf <- model.frame(f, d)
  y <- model.response(mf)
  X <- model.matrix(f, mf)[, -1, drop = FALSE]
  ll <- function(b) marginal_loglik(b, X, y[, 1], y[, 2])
  start <- coef(coxph(f, data = d, ties = "breslow"))
  b <- optim(start, function(b) -ll(b), method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))$par
  for (it in 1:20) {
    H <- hessian(ll, b); g <- grad(ll, b)
    step <- -solve(H, g)
    b <- b + step
    if (max(abs(step)) < 1e-12) break
  }
  H <- hessian(ll, b)
  se <- sqrt(diag(solve(-H)))
  terms <- lapply(seq_along(b), function(j) list(term = colnames(X)[j], coef = unname(b[j]), se = unname(se[j])))
  expect <- list(ties = "exact-marginal", n = nrow(X), events = sum(y[, 2]), terms = terms,
                 loglik_null = ll(rep(0, length(b))), loglik = ll(b))
  case <- list(id = id, reference = header,
               call = paste0("the exact marginal likelihood of ", formula_text, " on read.csv(\"", path,
                             "\"), maximised (make-references.R, marginal_case)"),
               args = c("cox", "--data", path, "--formula", formula_text, "--ties", "exact-marginal"), expect = expect)
  writeLines(to_json(case), file.path(marg_dir, paste0(id, ".json")))
}
marginal_case("marginal-gehan-treat", "Datasets/gehan.csv", "Surv(time, cens) ~ treat")
marginal_case("marginal-lung-age-sex", "Datasets/lung.csv", "Surv(time, status) ~ age + sex")
marginal_case("marginal-veteran-karno-trt", "Datasets/veteran.csv", "Surv(time, status) ~ karno + trt + prior")
# Predicted survival: survfit(fit, newdata) for the rows of a newdata file
# (written here, read back by both sides), at every time and at `times`.
pred_dir <- "Tests/SurvivalTests/CoxPredictions"
dir.create(pred_dir, showWarnings = FALSE, recursive = TRUE)
predict_case <- function(id, path, formula_text, newdata, ties = "efron", times) {
  data <- read.csv(path)
  fit <- coxph(as.formula(formula_text), data = data, ties = ties)
  nd_path <- file.path(pred_dir, paste0(id, "-newdata.csv"))
  write.csv(newdata, nd_path, row.names = FALSE)
  nd <- read.csv(nd_path)
  sf <- survfit(fit, newdata = nd)
  nstrata <- if (is.null(sf$strata)) 1 else length(sf$strata)
  ends <- if (is.null(sf$strata)) length(sf$time) else cumsum(sf$strata)
  starts <- c(1, head(ends, -1) + 1)
  col <- function(m, j) if (is.matrix(m)) m[, j] else m
  predictions <- list()
  for (j in seq_len(nrow(nd))) {
    # One profile's curves: summary() of the whole object mixes up the
    # profiles of a stratified fit (survival 3.5); of sf[, j] it does not.
    one <- if (nrow(nd) == 1) sf else if (is.null(sf$strata)) sf[j] else sf[, j]
    st <- summary(one, times = times)
    sgroup <- if (is.null(st$strata)) rep(1, length(st$time)) else as.integer(st$strata)
    label <- paste(names(nd), vapply(nd[j, ], function(v) as.character(v), ""), sep = "=", collapse = ", ")
    for (g in seq_len(nstrata)) {
      rows <- starts[g]:ends[g]
      surv <- col(sf$surv, j)[rows]
      steps <- lapply(seq_along(rows), function(k) {
        i <- rows[k]
        list(time = sf$time[i], n_risk = sf$n.risk[i], n_event = sf$n.event[i], n_censor = sf$n.censor[i],
             surv = surv[k], std_err = col(sf$std.err, j)[i] * surv[k], lower = col(sf$lower, j)[i],
             upper = col(sf$upper, j)[i], cumhaz = col(sf$cumhaz, j)[i], std_chaz = col(sf$std.err, j)[i])
      })
      w <- which(sgroup == g)
      at <- lapply(w, function(i) list(time = st$time[i], n_risk = st$n.risk[i], surv = st$surv[i],
                                       std_err = st$std.err[i], lower = st$lower[i], upper = st$upper[i]))
      entry <- list(profile = label)
      if (!is.null(sf$strata)) entry$stratum <- clean_label(names(sf$strata)[g])
      entry$at <- at
      entry$steps <- steps
      predictions[[length(predictions) + 1]] <- entry
    }
  }
  case <- list(id = id, reference = header,
               call = paste0("sf <- survfit(coxph(", formula_text, ", data = read.csv(\"", path, "\"), ties = \"", ties,
                             "\"), newdata = read.csv(\"", nd_path, "\")); summary(sf[, j], times = ", deparse1(times), ")"),
               args = c("cox", "--data", path, "--formula", formula_text, "--ties", ties, "--predict", nd_path,
                        "--times", paste(times, collapse = ",")),
               expect = list(predictions = predictions))
  writeLines(to_json(case), file.path(pred_dir, paste0(id, ".json")))
}
predict_case("predict-lung-age-sex", "Datasets/lung.csv", "Surv(time, status) ~ age + sex",
             data.frame(age = c(60, 70), sex = c(2, 1)), times = c(180, 365, 730))
predict_case("predict-lung-strata-factor", "Datasets/lung.csv", "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)",
             data.frame(age = c(55, 72), ph.ecog = c(0, 2)), times = c(100, 300))
predict_case("predict-lung-cluster-breslow", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + cluster(inst)",
             data.frame(age = 60, sex = 2), ties = "breslow", times = c(100, 300, 1000))
predict_case("predict-lung-offset", "Datasets/lung.csv", "Surv(time, status) ~ age + sex + offset(0.01 * ph.karno)",
             data.frame(age = c(60, 70), sex = c(2, 1), ph.karno = c(90, 60)), times = c(180, 365))
predict_case("predict-lung-basis", "Datasets/lung.csv", "Surv(time, status) ~ ns(wt.loss, df = 3) + poly(age, 2) + bs(ph.karno, df = 4) + sex",
             data.frame(wt.loss = c(0, 30.5), age = c(50.5, 81), ph.karno = c(85, 62), sex = c(1, 2)), times = c(180, 365))
predict_case("predict-heart-counting", "Datasets/heart.csv", "Surv(start, stop, event) ~ age + transplant",
             data.frame(age = c(-5, 10), transplant = c(1, 0)), times = c(100, 300))
# Curves along covariate paths: survfit(fit, newdata, id = id), one curve per
# subject over its (start, stop] intervals.
predict_path_case <- function(id, path, formula_text, newdata, ties = "efron", times) {
  data <- read.csv(path)
  fit <- coxph(as.formula(formula_text), data = data, ties = ties)
  nd_path <- file.path(pred_dir, paste0(id, "-newdata.csv"))
  write.csv(newdata, nd_path, row.names = FALSE)
  nd <- read.csv(nd_path)
  sf <- survfit(fit, newdata = nd, id = subject)
  ends <- if (is.null(sf$strata)) length(sf$time) else cumsum(sf$strata)
  starts <- c(1, head(ends, -1) + 1)
  subjects <- unique(nd$subject)
  predictions <- list()
  for (g in seq_along(subjects)) {
    rows <- starts[g]:ends[g]
    one <- if (length(subjects) == 1) sf else sf[g]
    st <- summary(one, times = times)
    steps <- lapply(rows, function(i)
      list(time = sf$time[i], n_risk = sf$n.risk[i], n_event = sf$n.event[i], n_censor = sf$n.censor[i],
           surv = sf$surv[i], std_err = sf$std.err[i] * sf$surv[i], lower = sf$lower[i], upper = sf$upper[i],
           cumhaz = sf$cumhaz[i], std_chaz = sf$std.err[i]))
    at <- lapply(seq_along(st$time), function(i) list(time = st$time[i], n_risk = st$n.risk[i], surv = st$surv[i],
                                                      std_err = st$std.err[i], lower = st$lower[i], upper = st$upper[i]))
    predictions[[g]] <- list(profile = paste0("subject=", subjects[g]), at = at, steps = steps)
  }
  case <- list(id = id, reference = header,
               call = paste0("sf <- survfit(coxph(", formula_text, ", data = read.csv(\"", path, "\"), ties = \"", ties,
                             "\"), newdata = read.csv(\"", nd_path, "\"), id = subject); summary(sf[g], times = ", deparse1(times), ")"),
               args = c("cox", "--data", path, "--formula", formula_text, "--ties", ties, "--predict", nd_path,
                        "--predict-id", "subject", "--times", paste(times, collapse = ",")),
               expect = list(predictions = predictions))
  writeLines(to_json(case), file.path(pred_dir, paste0(id, ".json")))
}
predict_path_case("predict-heart-path", "Datasets/heart.csv", "Surv(start, stop, event) ~ age + transplant",
                  data.frame(subject = c(1, 1, 2, 3, 3, 3), start = c(0, 50, 0, 0, 20, 400), stop = c(50, 800, 300, 20, 300, 900),
                             event = 0, age = c(10, 10, -5, 0, 0, 0), transplant = c(0, 1, 0, 0, 1, 1)),
                  times = c(100, 365, 700))
predict_case("predict-veteran-celltype-interaction", "Datasets/veteran.csv", "Surv(time, status) ~ celltype * karno",
             data.frame(celltype = c("adeno", "squamous"), karno = c(60, 80)), times = c(30, 90, 180))

# Residual options: weighted = TRUE, collapse = id, scaled Schoenfeld.
# (R's weighted Schoenfeld residuals multiply by the weights of other rows:
# its event rows are in time order, its weights in data order; they are not
# recorded here, and outcomes multiplies each event by its own weight.)
residual_case <- function(id, path, formula_text, weights = NULL, collapse = NULL) {
  data <- read.csv(path)
  data$.w <- if (is.null(weights)) rep(1, nrow(data)) else data[[weights]]
  fit <- coxph(as.formula(formula_text), data = data, weights = .w, x = TRUE, y = TRUE)
  used <- if (is.null(fit$na.action)) seq_len(nrow(data)) else seq_len(nrow(data))[-fit$na.action]
  weighted <- !is.null(weights)
  mart <- residuals(fit, "martingale", weighted = weighted)
  dev <- residuals(fit, "deviance", weighted = weighted)
  sc <- as.matrix(residuals(fit, "score", weighted = weighted))
  dfb <- as.matrix(residuals(fit, "dfbeta"))
  ssch <- as.matrix(residuals(fit, "scaledsch"))
  y <- fit$y; ny <- ncol(y); status <- y[, ny]
  ord <- order(y[, ny - 1], -status)
  sch_rows <- ord[status[ord] == 1]
  rows <- lapply(seq_along(used), function(i) {
    j <- match(i, sch_rows)
    list(row = used[i], martingale = unname(mart[i]), deviance = unname(dev[i]), score = unname(sc[i, ]),
         dfbeta = unname(dfb[i, ]), scaledsch = if (is.na(j)) NULL else unname(ssch[j, ]))
  })
  expect <- list(rows = rows)
  args <- c("cox", "--data", path, "--formula", formula_text, "--residuals", "RESIDUALS")
  if (weighted) args <- c(args, "--weights", weights, "--residuals-weighted")
  if (!is.null(collapse)) {
    key <- data[[collapse]][used]
    cm <- residuals(fit, "martingale", weighted = weighted, collapse = key)
    cd <- residuals(fit, "deviance", weighted = weighted, collapse = key)
    cs <- as.matrix(residuals(fit, "score", weighted = weighted, collapse = key))
    cb <- as.matrix(residuals(fit, "dfbeta", collapse = key))
    expect$collapsed <- lapply(seq_along(cm), function(g)
      list(id = names(cm)[g], martingale = unname(cm[g]), deviance = unname(cd[g]), score = unname(cs[g, ]),
           dfbeta = unname(cb[g, ])))
    args <- c(args, "--collapse", collapse)
  }
  case <- list(id = id, reference = header,
               call = paste0("fit <- coxph(", formula_text, ", data = read.csv(\"", path, "\")",
                             if (weighted) paste0(", weights = ", weights) else "", "); residuals(fit, type",
                             if (weighted) ", weighted = TRUE" else "", if (is.null(collapse)) "" else paste0(", collapse = ", collapse),
                             "); residuals(fit, \"scaledsch\")"),
               args = args, expect = expect)
  writeLines(to_json(case), file.path("Tests/OutcomesCLITests/Residuals", paste0(id, ".json")))
}
dir.create("Tests/OutcomesCLITests/Residuals", showWarnings = FALSE, recursive = TRUE)
residual_case("residuals-lung-weighted", "Tests/SurvivalTests/References/lung-weights.csv", "Surv(time, status) ~ sex + ph.ecog",
              weights = "wint")
residual_case("residuals-heart-collapse", "Datasets/heart.csv", "Surv(start, stop, event) ~ age + transplant", collapse = "id")
residual_case("residuals-veteran-scaled", "Datasets/veteran.csv", "Surv(time, status) ~ karno + celltype")

al <- read.csv("Datasets/lung.csv")[, c("time", "status", "age", "sex")]
al$age2 <- 2 * al$age
al$one <- 1
write.csv(al, "Tests/SurvivalTests/References/lung-aliased.csv", row.names = FALSE)
cox_case("cox-lung-aliased", "Tests/SurvivalTests/References/lung-aliased.csv", "Surv(time, status) ~ age + sex + age2 + one")

# ---- design matrices (model.matrix, treatment contrasts) --------------------
mm_dir <- "Tests/ModelFrameTests/References"
dir.create(mm_dir, showWarnings = FALSE, recursive = TRUE)
mm_case <- function(id, data_name, formula_text, intercept = TRUE) {
  data <- read_set(data_name)
  f <- as.formula(formula_text)
  mf <- model.frame(f, data, drop.unused.levels = TRUE)
  X <- model.matrix(f, mf)
  if (!intercept) {
    keep <- attr(X, "assign") != 0
    X <- X[, keep, drop = FALSE]
  }
  columns <- lapply(seq_len(ncol(X)), function(j) list(name = colnames(X)[j], values = unname(X[, j])))
  case <- list(id = id, reference = header,
               call = paste0("model.matrix(", formula_text, ", model.frame(..., read.csv(\"Datasets/", data_name,
                             ".csv\"), drop.unused.levels = TRUE))", if (intercept) "" else " without the intercept column"),
               data = paste0("Datasets/", data_name, ".csv"), formula = formula_text, intercept = intercept,
               n = nrow(X), n_dropped = nrow(data) - nrow(X), columns = columns)
  writeLines(to_json(case), file.path(mm_dir, paste0(id, ".json")))
}
mm_case("mm-lung-age-sex-factor-ecog", "lung", "~ age + sex + factor(ph.ecog)", intercept = FALSE)
mm_case("mm-lung-age-sex-factor-ecog-intercept", "lung", "~ age + sex + factor(ph.ecog)")
mm_case("mm-colon-rx-age-interaction", "colon", "~ rx + age + rx:age", intercept = FALSE)
mm_case("mm-colon-rx-star-sex", "colon", "~ rx * sex", intercept = FALSE)
mm_case("mm-pbc-stage-star-sex", "pbc", "~ factor(stage) * sex")
mm_case("mm-veteran-celltype-colon-karno", "veteran", "~ celltype:karno")
mm_case("mm-veteran-karno-celltype-order", "veteran", "~ karno:celltype + karno + trt", intercept = FALSE)
mm_case("mm-veteran-no-intercept", "veteran", "~ celltype - 1")
mm_case("mm-veteran-three-way", "veteran", "~ celltype * trt * prior", intercept = FALSE)
# Arithmetic, cut(), relevel(), factor(levels =), logical terms, ^, /, -term, %in%, '.'
mm_case("mm-lung-arithmetic", "lung",
        paste("~ age + I(age^2) + log(age) + sqrt(ph.karno) + I((age - 50)^2) + pmin(age, 70) + pmax(wt.loss, 0)",
              "+ log(age, base = 2) + exp(age/100) + abs(age - 60) + log10(ph.karno) + log2(age) + log1p(age)",
              "+ I(age * 2 - 1e5/1e4) + floor(age/10) + ceiling(age/7) + I(-age^2)"), intercept = FALSE)
mm_case("mm-lung-cut", "lung",
        "~ cut(age, c(0, 50, 60, 100)) + cut(ph.karno, c(40, 70, 90, 100), right = FALSE, include.lowest = TRUE)")
mm_case("mm-lung-cut-count", "lung",
        "~ cut(age, 3) + cut(wt.loss, 4) + cut(ph.karno, 5, right = FALSE) + cut(meal.cal, 7, include.lowest = TRUE)")
mm_case("mm-lung-reference-levels", "lung", "~ relevel(factor(ph.ecog), ref = \"1\") + factor(sex, levels = c(2, 1))")
mm_case("mm-lung-logical", "lung", "~ I(age > 60) + I(ph.karno >= 80):sex", intercept = FALSE)
mm_case("mm-lung-power", "lung", "~ (age + sex + ph.ecog)^2", intercept = FALSE)
mm_case("mm-lung-nesting", "lung", "~ factor(sex)/age + ph.ecog %in% sex")
mm_case("mm-lung-removal", "lung", "~ age * factor(sex) * ph.ecog - age:factor(sex):ph.ecog - age")
mm_case("mm-veteran-dot", "veteran", "~ .")
# poly(), ns(), bs(): R's bases (stats::poly, splines::ns and bs), computed
# before rows missing elsewhere are dropped (wt.loss has missing values).
mm_case("mm-lung-poly", "lung", "~ poly(age, 3) + poly(ph.karno, 2, raw = TRUE) + poly(age, 1)", intercept = FALSE)
mm_case("mm-lung-splines", "lung",
        paste("~ ns(age, 3) + ns(wt.loss, knots = c(0, 10)) + bs(age, df = 5) + bs(ph.karno, degree = 2, knots = c(70, 90))",
              "+ ns(age) + ns(age, 3, Boundary.knots = c(30, 90))"), intercept = FALSE)
mm_case("mm-lung-spline-interaction", "lung", "~ ns(age, df = 3):factor(sex) + bs(age, 4, intercept = TRUE) - 1")

# ---- one rate: intervals and tests (R stats 4.2, and the definitions) -------
# Clopper–Pearson and the exact test are R's binom.test; Wilson and the score
# test are R's prop.test(correct = FALSE). R has no function for the others,
# so they are computed here from their published definitions, in forms other
# than the ones outcomes uses where there is a choice:
#   wilson_cc: Newcombe (1998) method 4, his closed form (the full 0.5 correction);
#   agresti_coull, wald: statsmodels' proportion_confint definitions, clipped to [0, 1];
#   jeffreys: Beta(x + 1/2, n - x + 1/2) quantiles, 0 at x = 0 and 1 at x = n;
#   mid_p limits: uniroot on the definition with tol = 1e-15 (bracket [0, 1]);
#   mid_p test: P(X < x) + P(X = x)/2 and P(X > x) + P(X = x)/2, two-sided twice the smaller.
rate_dir <- "Tests/RatesTests/References"
dir.create(rate_dir, showWarnings = FALSE, recursive = TRUE)
rate_case <- function(x, n, p0 = NULL, alternative = "two.sided", conf = 0.95) {
  z <- qnorm(1 - (1 - conf) / 2)
  a2 <- (1 - conf) / 2
  ph <- x / n
  cp <- binom.test(x, n, conf.level = conf)$conf.int
  wi <- prop.test(x, n, correct = FALSE, conf.level = conf)$conf.int
  wcc_l <- if (x == 0) 0 else (2 * n * ph + z^2 - 1 - z * sqrt(z^2 - 2 - 1 / n + 4 * ph * (n * (1 - ph) + 1))) / (2 * (n + z^2))
  wcc_u <- if (x == n) 1 else (2 * n * ph + z^2 + 1 + z * sqrt(z^2 + 2 - 1 / n + 4 * ph * (n * (1 - ph) - 1))) / (2 * (n + z^2))
  nt <- n + z^2; pt <- (x + z^2 / 2) / nt; h <- z * sqrt(pt * (1 - pt) / nt)
  ac <- c(pt - h, pt + h)
  hw <- z * sqrt(ph * (1 - ph) / n)
  wa <- c(ph - hw, ph + hw)
  jl <- if (x == 0) 0 else qbeta(a2, x + 0.5, n - x + 0.5)
  ju <- if (x == n) 1 else qbeta(a2, x + 0.5, n - x + 0.5, lower.tail = FALSE)
  ml <- if (x == 0) 0 else uniroot(function(p) pbinom(x, n, p, lower.tail = FALSE) + dbinom(x, n, p) / 2 - a2,
                                   c(0, 1), tol = 1e-15)$root
  mu <- if (x == n) 1 else uniroot(function(p) pbinom(x - 1, n, p) + dbinom(x, n, p) / 2 - a2,
                                   c(0, 1), tol = 1e-15)$root
  lim <- function(l, u, clip = FALSE) {
    r <- list(lower = max(l, 0), upper = min(u, 1))
    if (clip) r$clipped <- (l < 0 || u > 1)
    r
  }
  # SAS PROC FREQ BINOMIAL(CL=...) intervals, from their definitions: Wald
  # with the 1/(2n) correction, logit (undefined at x = 0 and x = n), and
  # likelihood ratio (2 [l(ph) - l(p)] = qchisq(conf, 1), by uniroot).
  wcc <- c(ph - hw - 1 / (2 * n), ph + hw + 1 / (2 * n))
  lo <- if (x == 0 || x == n) c(NA, NA) else plogis(qlogis(ph) + c(-1, 1) * z / sqrt(n * ph * (1 - ph)))
  ll <- function(p) (if (x > 0) x * log(p) else 0) + (if (x < n) (n - x) * log1p(-p) else 0)
  cut <- ll(ph) - qchisq(conf, 1) / 2
  lrl <- if (x == 0) 0 else uniroot(function(p) ll(p) - cut, c(1e-300, ph), tol = 1e-15)$root
  lru <- if (x == n) 1 else uniroot(function(p) ll(p) - cut, c(ph, 1 - 1e-16), tol = 1e-15)$root
  expect <- list(events = x, n = n, estimate = ph, conf_level = conf,
                 intervals = list(clopper_pearson = lim(cp[1], cp[2]), wilson = lim(wi[1], wi[2]),
                                  wilson_cc = lim(wcc_l, wcc_u), agresti_coull = lim(ac[1], ac[2], TRUE),
                                  jeffreys = lim(jl, ju), wald = lim(wa[1], wa[2], TRUE), mid_p = lim(ml, mu),
                                  wald_cc = lim(wcc[1], wcc[2], TRUE),
                                  logit = if (x == 0 || x == n) list(lower = NULL, upper = NULL) else list(lower = lo[1], upper = lo[2]),
                                  likelihood_ratio = lim(lrl, lru)))
  alt_name <- c(two.sided = "two-sided", less = "less", greater = "greater")[[alternative]]
  args <- c("--events", sprintf("%.0f", x), "--n", sprintf("%.0f", n), "--conf-level", num(conf))
  call <- sprintf("binom.test(%s, %s, conf.level = %s); prop.test(correct = FALSE); definitions", num(x), num(n), num(conf))
  if (!is.null(p0)) {
    less <- (if (x == 0) 0 else pbinom(x - 1, n, p0)) + dbinom(x, n, p0) / 2
    greater <- pbinom(x, n, p0, lower.tail = FALSE) + dbinom(x, n, p0) / 2
    expect$test <- list(p0 = p0, alternative = alt_name,
                        exact_p = binom.test(x, n, p0, alternative = alternative)$p.value,
                        mid_p = switch(alternative, less = less, greater = greater, two.sided = min(1, 2 * min(less, greater))),
                        score_p = prop.test(x, n, p0, alternative = alternative, correct = FALSE)$p.value)
    args <- c(args, "--p0", num(p0), "--alternative", alt_name)
    call <- paste0(call, sprintf("; binom.test(%s, %s, p = %s, alternative = \"%s\")", num(x), num(n), num(p0), alternative))
  }
  short <- function(v) sprintf("%g", v)
  id <- paste0("rate-", short(x), "-", short(n), if (!is.null(p0)) paste0("-p", short(p0), "-", alternative) else "",
               "-cl", short(conf))
  case <- list(id = id, reference = list(R = R.version.string), call = call, args = args, expect = expect)
  writeLines(to_json(case), file.path(rate_dir, paste0(id, ".json")))
}
for (conf in c(0.9, 0.95, 0.99)) {
  for (xn in list(c(7, 20), c(0, 20), c(20, 20), c(0, 1), c(1, 1), c(1, 10), c(9, 10), c(3, 50), c(50, 100),
                  c(1, 1000), c(999, 1000), c(123456, 1e6))) {
    rate_case(xn[1], xn[2], conf = conf)
  }
}
for (alternative in c("two.sided", "less", "greater")) {
  for (case in list(list(7, 20, 0.35), list(7, 20, 0.2), list(0, 20, 0.05), list(20, 20, 0.9), list(3, 50, 0.1),
                    list(1, 1, 0.5), list(0, 1, 0.3), list(9, 10, 0.5), list(17, 40, 0.35), list(123456, 1e6, 0.1234),
                    list(40, 100, 0.35), list(27, 100, 0.35))) {
    rate_case(case[[1]], case[[2]], p0 = case[[3]], alternative = alternative)
  }
}
cat("wrote", length(list.files(rate_dir, pattern = "\\.json$")), "fixtures to", rate_dir, "\n")

# ---- two rates: differences, ratios, odds ratios and tests -------------------
# R: fisher.test (p-value), prop.test (chi-square with and without Yates). The
# rest from definitions, in R, by methods other than the ones outcomes uses:
#   conditional MLE and exact odds-ratio limits: fisher.test's own equations
#     (its dnhyper/pnhyper on the log scale) solved by uniroot at tol 1e-14,
#     since fisher.test stops at uniroot's default tolerance;
#   score intervals (Miettinen–Nurminen for the difference, ratio and odds
#     ratio; Koopman for the ratio): the restricted MLE as the root of the
#     constrained likelihood's derivative (uniroot), not a closed form, and
#     the limits by uniroot at tol 1e-14;
#   newcombe: Wilson limits from prop.test(correct = FALSE);
#   wald, agresti_caffo, katz, woolf, g_test: their formulas.
# Barnard's and Boschloo's tests are added by make-references.py (scipy).
cmp_dir <- "Tests/RatesTests/CompareReferences"
dir.create(cmp_dir, showWarnings = FALSE, recursive = TRUE)
solve <- function(f, lower, upper) uniroot(f, c(lower, upper), tol = 1e-14, maxiter = 10000)$root
restricted <- function(x1, n1, x2, n2, constraint) {
  # p1 as a function of p2 under the constraint; the likelihood is maximized
  # over p2 by solving its derivative (a root is exact to rounding; the
  # argmax of a flat maximum, as optimize finds it, only to about 1e-8).
  term <- function(x, n, p) (if (x == 0) 0 else x / p) - (if (x == n) 0 else (n - x) / (1 - p))
  score <- function(p2) term(x1, n1, constraint$p1(p2)) * constraint$d1(p2) + term(x2, n2, p2)
  ends <- constraint$range
  if (ends[2] <= ends[1]) return(c(constraint$p1(ends[1]), ends[1]))
  eps <- 1e-15 * (ends[2] - ends[1])
  a <- ends[1] + eps; b <- ends[2] - eps
  p2 <- if (score(a) <= 0) ends[1] else if (score(b) >= 0) ends[2] else
    uniroot(score, c(a, b), tol = 1e-16, maxiter = 10000)$root
  c(constraint$p1(p2), p2)
}
score_z <- function(x1, n1, x2, n2, type, value, corrected) {
  N <- n1 + n2
  p1 <- x1 / n1; p2 <- x2 / n2
  cons <- switch(type,
    diff = list(p1 = function(q) q + value, d1 = function(q) 1, range = c(max(0, -value), min(1, 1 - value))),
    ratio = list(p1 = function(q) value * q, d1 = function(q) value, range = c(0, min(1, 1 / value))),
    odds = list(p1 = function(q) value * q / (1 + q * (value - 1)), d1 = function(q) value / (1 + q * (value - 1))^2,
                range = c(0, 1)))
  r <- restricted(x1, n1, x2, n2, cons)
  f <- if (corrected) N / (N - 1) else 1
  if (type == "diff") {
    v <- (r[1] * (1 - r[1]) / n1 + r[2] * (1 - r[2]) / n2) * f
    num <- p1 - p2 - value
  } else if (type == "ratio") {
    v <- (r[1] * (1 - r[1]) / n1 + value^2 * r[2] * (1 - r[2]) / n2) * f
    num <- p1 - value * p2
  } else {
    q1 <- r[1] * (1 - r[1]); q2 <- r[2] * (1 - r[2])
    v <- (1 / (q1 * n1) + 1 / (q2 * n2)) * f
    num <- (p1 - r[1]) / q1 - (p2 - r[2]) / q2
  }
  num / sqrt(v)
}
score_limits <- function(x1, n1, x2, n2, type, z, corrected = TRUE) {
  if (type == "diff") {
    est <- x1 / n1 - x2 / n2
    g <- function(d) score_z(x1, n1, x2, n2, "diff", d, corrected)
    # (The statistic is 0/0 at the estimate itself when both rates are 0 or 1.)
    lo <- if (est <= -1) -1 else solve(function(d) g(d) - z, -1 + 1e-12, est - 1e-12)
    hi <- if (est >= 1) 1 else solve(function(d) g(d) + z, est + 1e-12, 1 - 1e-12)
    return(c(lo, hi))
  }
  est <- if (type == "ratio") (x1 / n1) / (x2 / n2) else (x1 * (n2 - x2)) / (x2 * (n1 - x1))
  if (is.na(est)) return(c(0, Inf))  # 0/0: no information about the ratio
  g <- function(l) score_z(x1, n1, x2, n2, type, exp(l), corrected)
  start <- if (is.finite(est) && est > 0) log(est) else if (est == 0) -15 else 15
  lo <- if (est == 0) 0 else exp(solve(function(l) g(l) - z, -20, start - 1e-9))
  hi <- if (is.infinite(est)) Inf else exp(solve(function(l) g(l) + z, start + 1e-9, 20))
  c(lo, hi)
}
fisher_parts <- function(x1, n1, x2, n2, conf) {
  m <- x1 + x2; n <- n1 + n2 - m; k <- n1; x <- x1
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(l) { d <- logdc + l * support; d <- exp(d - max(d)); d / sum(d) }
  mean_at <- function(l) sum(support * dn(l))
  upper_tail <- function(l) sum(dn(l)[support >= x])
  lower_tail <- function(l) sum(dn(l)[support <= x])
  alpha <- (1 - conf) / 2
  mle <- if (x == lo) 0 else if (x == hi) Inf else exp(solve(function(l) mean_at(l) - x, -50, 50))
  L <- if (x == lo) 0 else exp(solve(function(l) upper_tail(l) - alpha, -50, 50))
  U <- if (x == hi) Inf else exp(solve(function(l) lower_tail(l) - alpha, -50, 50))
  list(mle = mle, lower = L, upper = U)
}
compare_case <- function(x1, n1, x2, n2, conf = 0.95) {
  z <- qnorm(1 - (1 - conf) / 2)
  p1 <- x1 / n1; p2 <- x2 / n2
  wil <- function(x, n) suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = conf)$conf.int)
  w1 <- wil(x1, n1); w2 <- wil(x2, n2)
  d <- p1 - p2
  newc <- c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
  wald_rd <- function(a) {
    m1 <- n1 + 2 * a; m2 <- n2 + 2 * a; q1 <- (x1 + a) / m1; q2 <- (x2 + a) / m2
    h <- z * sqrt(q1 * (1 - q1) / m1 + q2 * (1 - q2) / m2)
    l <- q1 - q2 - h; u <- q1 - q2 + h
    list(lower = max(l, -1), upper = min(u, 1), clipped = (l < -1 || u > 1))
  }
  lim <- function(v) list(lower = v[1], upper = v[2])
  katz <- if (x1 == 0 || x2 == 0) c(NA, NA) else
    exp(log(p1 / p2) + c(-1, 1) * z * sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2))
  woolf <- if (x1 == 0 || x2 == 0 || x1 == n1 || x2 == n2) c(NA, NA) else
    exp(log((x1 / (n1 - x1)) / (x2 / (n2 - x2))) + c(-1, 1) * z * sqrt(1 / x1 + 1 / (n1 - x1) + 1 / x2 + 1 / (n2 - x2)))
  fp <- fisher_parts(x1, n1, x2, n2, conf)
  tab <- matrix(c(x1, x2, n1 - x1, n2 - x2), 2)
  chi <- function(correct) {
    t <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = correct))
    list(statistic = unname(t$statistic), df = 1, p = t$p.value)
  }
  O <- c(x1, x2, n1 - x1, n2 - x2); pp <- (x1 + x2) / (n1 + n2)
  E <- c(n1 * pp, n2 * pp, n1 * (1 - pp), n2 * (1 - pp))
  G <- 2 * sum(ifelse(O > 0, O * log(O / E), 0))
  rr_est <- if (x1 == 0 && x2 == 0) NA else p1 / p2
  or_num <- x1 * (n2 - x2); or_den <- x2 * (n1 - x1)
  expect <- list(
    group1 = list(events = x1, n = n1, estimate = p1), group2 = list(events = x2, n = n2, estimate = p2),
    risk_difference = list(estimate = d, intervals = list(
      newcombe = lim(newc), miettinen_nurminen = lim(score_limits(x1, n1, x2, n2, "diff", z)),
      wald = wald_rd(0), agresti_caffo = wald_rd(1))),
    risk_ratio = list(estimate = rr_est, intervals = list(
      katz = lim(katz), koopman = lim(score_limits(x1, n1, x2, n2, "ratio", z, corrected = FALSE)),
      miettinen_nurminen = lim(score_limits(x1, n1, x2, n2, "ratio", z)))),
    odds_ratio = list(estimate = if (or_num == 0 && or_den == 0) NA else or_num / or_den,
                      conditional_mle = fp$mle, intervals = list(
      woolf = lim(woolf), exact = list(lower = fp$lower, upper = fp$upper),
      miettinen_nurminen = lim(score_limits(x1, n1, x2, n2, "odds", z)))),
    tests = list(fisher_exact = list(p = fisher.test(tab)$p.value,
                                     p_less = fisher.test(tab, alternative = "less")$p.value,
                                     p_greater = fisher.test(tab, alternative = "greater")$p.value),
                 chisq = chi(FALSE), chisq_yates = chi(TRUE),
                 g_test = list(statistic = G, df = 1, p = pchisq(G, 1, lower.tail = FALSE)),
                 # SAS's Mantel-Haenszel chi-square: (N - 1)/N times Pearson's.
                 mantel_haenszel = local({
                   N <- n1 + n2; x2p <- chi(FALSE)$statistic
                   if (is.null(x2p) || is.na(x2p)) list(statistic = NULL, df = 1, p = NULL)
                   else list(statistic = x2p * (N - 1) / N, df = 1, p = pchisq(x2p * (N - 1) / N, 1, lower.tail = FALSE))
                 })))
  short <- function(v) sprintf("%g", v)
  id <- paste0("compare-", short(x1), "-", short(n1), "-", short(x2), "-", short(n2), "-cl", short(conf))
  args <- c("--events1", short(x1), "--n1", short(n1), "--events2", short(x2), "--n2", short(n2), "--conf-level", num(conf))
  case <- list(id = id, reference = list(R = R.version.string),
               call = sprintf("fisher.test(matrix(c(%s, %s, %s, %s), 2)); prop.test(c(%s, %s), c(%s, %s)); definitions",
                              short(x1), short(x2), short(n1 - x1), short(n2 - x2), short(x1), short(x2), short(n1), short(n2)),
               args = args, expect = expect)
  writeLines(to_json(case), file.path(cmp_dir, paste0(id, ".json")))
}
for (t in list(c(2, 53, 10, 44), c(12, 40, 20, 45), c(7, 20, 3, 21), c(30, 100, 45, 100), c(3, 1000, 9, 1000),
               c(0, 20, 5, 20), c(5, 20, 0, 20), c(10, 10, 5, 10), c(4, 9, 9, 9), c(1, 1, 0, 1), c(0, 10, 0, 12),
               c(6, 6, 6, 6), c(15, 23, 8, 24), c(40, 55, 12, 60))) {
  compare_case(t[1], t[2], t[3], t[4])
}
compare_case(2, 53, 10, 44, conf = 0.9)
compare_case(7, 20, 3, 21, conf = 0.99)
cat("wrote", length(list.files(cmp_dir, pattern = "\\.json$")), "fixtures to", cmp_dir, "\n")

# ---- stratified 2x2 tables (mantelhaen.test, Breslow-Day) -------------------
# R: mantelhaen.test with correct = FALSE/TRUE (statistic, p, the
# Mantel-Haenszel estimate and its Robins-Breslow-Greenland interval) and
# exact = TRUE (p-value). mantelhaen.test's exact estimate and limits stop at
# uniroot's default tolerance, so they are recomputed from its own equations
# (the convolution of the strata's hypergeometric densities) at tol 1e-14.
# Breslow-Day and Tarone from their definition, with the fitted counts from
# polyroot (as DescTools::BreslowDayTest). The odds ratio is group 1 against
# group 2 for the event: table(group, factor(event, c(TRUE, FALSE)), stratum).
cmh_dir <- "Tests/RatesTests/CMHReferences"
dir.create(cmh_dir, showWarnings = FALSE, recursive = TRUE)
cmh_case <- function(id, set, event, group, strata, conf = 0.95) {
  d <- read_set(set)
  ev <- eval(parse(text = event), d)
  keep <- !is.na(ev) & !is.na(d[[group]]) & Reduce(`&`, lapply(strata, function(s) !is.na(d[[s]])))
  dd <- d[keep, ]; ev <- ev[keep]
  g <- factor(dd[[group]])
  skey <- lapply(strata, function(s) factor(dd[[s]]))
  # strata labels var=value, joined by ", ", in the order of the first variable, then the next
  lab <- do.call(paste, c(lapply(seq_along(strata), function(i) paste0(strata[i], "=", as.character(skey[[i]]))), sep = ", "))
  ord <- do.call(order, lapply(skey, as.integer))
  st <- factor(lab, levels = unique(lab[ord]))
  tab <- table(g, factor(ev, levels = c(TRUE, FALSE)), st)
  K <- dim(tab)[3]
  ca <- mantelhaen.test(tab, correct = FALSE, conf.level = conf)
  cc <- mantelhaen.test(tab, correct = TRUE, conf.level = conf)
  ex <- mantelhaen.test(tab, exact = TRUE, conf.level = conf)
  a <- tab[1, 1, ]; b <- tab[1, 2, ]; c <- tab[2, 1, ]; dcell <- tab[2, 2, ]
  n1 <- a + b; n2 <- c + dcell; m <- a + c
  # exact conditional distribution of sum(a)
  lo <- sum(pmax(0, m - n2)); hi <- sum(pmin(n1, m))
  dens <- 1
  for (k in seq_len(K)) {
    l <- max(0, m[k] - n2[k]); h <- min(n1[k], m[k])
    f <- dhyper(l:h, m[k], n1[k] + n2[k] - m[k], n1[k])
    # direct convolution (convolve() uses the FFT, whose rounding noise swamps the tails)
    dens <- as.vector(tapply(outer(dens, f), outer(seq_along(dens), seq_along(f), "+"), sum))
    dens <- dens / max(dens)
  }
  support <- lo:hi; s <- sum(a)
  logdc <- log(dens / sum(dens))
  dn <- function(l) { v <- logdc + l * support; v <- exp(v - max(v)); v / sum(v) }
  alpha <- (1 - conf) / 2
  mle <- if (s == lo) 0 else if (s == hi) Inf else exp(solve(function(l) sum(support * dn(l)) - s, -50, 50))
  L <- if (s == lo) 0 else exp(solve(function(l) sum(dn(l)[support >= s]) - alpha, -50, 50))
  U <- if (s == hi) Inf else exp(solve(function(l) sum(dn(l)[support <= s]) - alpha, -50, 50))
  # Breslow-Day at the MH estimate over informative strata
  psi <- unname(ca$estimate)
  inf <- which(n1 > 0 & n2 > 0 & m > 0 & m < n1 + n2)
  bd <- 0; va <- numeric(0); fa <- numeric(0)
  for (k in inf) {
    roots <- Re(polyroot(c(-psi * n1[k] * m[k], n2[k] - m[k] + psi * (n1[k] + m[k]), 1 - psi)))
    r <- roots[roots >= max(0, m[k] - n2[k]) - 1e-9 & roots <= min(n1[k], m[k]) + 1e-9][1]
    v <- 1 / (1 / r + 1 / (n1[k] - r) + 1 / (m[k] - r) + 1 / (n2[k] - m[k] + r))
    bd <- bd + (a[k] - r)^2 / v
    va <- c(va, v); fa <- c(fa, r)
  }
  tarone <- bd - (sum(a[inf]) - sum(fa))^2 / sum(va)
  dfbd <- length(inf) - 1
  chi <- function(t) list(statistic = unname(t$statistic), df = 1, p = t$p.value)
  sor <- function(k) { num <- a[k] * dcell[k]; den <- b[k] * c[k]; if (num == 0 && den == 0) NA else num / den }
  expect <- list(
    n = sum(keep), n_dropped = sum(!keep), group1 = paste0(group, "=", levels(g)[1]), group2 = paste0(group, "=", levels(g)[2]),
    strata = lapply(seq_len(K), function(k) list(label = dimnames(tab)[[3]][k],
      group1 = list(events = a[[k]], n = n1[[k]]), group2 = list(events = c[[k]], n = n2[[k]]), odds_ratio = sor(k))),
    informative_strata = length(inf), conf_level = conf,
    odds_ratio = list(estimate = psi, conditional_mle = mle, intervals = list(
      robins_breslow_greenland = list(lower = ca$conf.int[1], upper = ca$conf.int[2]),
      exact = list(lower = L, upper = U))),
    # SAS PROC FREQ's Mantel-Haenszel common risk ratio (Greenland-Robins
    # variance of its log) and risk difference (Sato's variance), from the
    # SAS/STAT formulas ("Adjusted Relative Risks", "Common Risk Difference").
    risk_ratio = local({
      u <- n1 > 0 & n2 > 0; t <- n1 + n2
      num <- sum((a * n2 / t)[u]); den <- sum((c * n1 / t)[u])
      v <- sum(((n1 * n2 * (a + c) - a * c * t) / t^2)[u]) / (num * den)
      z <- qnorm(1 - (1 - conf) / 2)
      list(estimate = num / den, intervals = list(mantel_haenszel = list(
        lower = exp(log(num / den) - z * sqrt(v)), upper = exp(log(num / den) + z * sqrt(v)))))
    }),
    risk_difference = local({
      u <- n1 > 0 & n2 > 0; t <- n1 + n2; w <- (n1 * n2 / t)[u]
      dd <- sum(w * (a / n1 - c / n2)[u]) / sum(w)
      P <- sum(((n1^2 * c - n2^2 * a + n1 * n2 * (n2 - n1) / 2) / t^2)[u])
      Q <- sum(((a * (n2 - c) + c * (n1 - a)) / (2 * t))[u])
      se <- sqrt(dd * P + Q) / sum(w)
      z <- qnorm(1 - (1 - conf) / 2)
      list(estimate = dd, intervals = list(mantel_haenszel = list(lower = dd - z * se, upper = dd + z * se)))
    }),
    tests = list(cmh = chi(ca), cmh_corrected = chi(cc), exact = list(p = ex$p.value),
                 breslow_day = list(statistic = bd, df = dfbd, p = pchisq(bd, dfbd, lower.tail = FALSE)),
                 tarone = list(statistic = tarone, df = dfbd, p = pchisq(tarone, dfbd, lower.tail = FALSE))))
  formula <- paste0(event, " ~ ", group, " + strata(", paste(strata, collapse = ", "), ")")
  case <- list(id = id, reference = list(R = R.version.string),
               call = sprintf("mantelhaen.test(table(%s, factor(%s, c(TRUE, FALSE)), strata)) on Datasets/%s.csv", group, event, set),
               args = c("cmh", "--data", paste0("Datasets/", set, ".csv"), "--formula", formula, "--conf-level", num(conf)),
               expect = expect)
  writeLines(to_json(case), file.path(cmh_dir, paste0(id, ".json")))
}
cmh_case("cmh-ucb-gender-dept", "ucb-admissions", "Admit == 'Admitted'", "Gender", "Dept")
cmh_case("cmh-rabbits-delay-level", "penicillin-rabbits", "Response == 'Cured'", "Delay", "Penicillin.Level")
cmh_case("cmh-rabbits-cl90", "penicillin-rabbits", "Response == 'Cured'", "Delay", "Penicillin.Level", conf = 0.9)
cmh_case("cmh-veteran-trt-celltype", "veteran", "status == 1", "trt", "celltype")
cmh_case("cmh-veteran-trt-celltype-prior", "veteran", "status == 1", "trt", c("celltype", "prior"))
cmh_case("cmh-pbc-trt-stage", "pbc", "status == 2", "trt", "stage")
cmh_case("cmh-colon-sex-rx", "colon", "status == 1", "sex", "rx")
cat("wrote", length(list.files(cmh_dir, pattern = "\\.json$")), "fixtures to", cmh_dir, "\n")

# ---- logistic regression (glm binomial; Firth) --------------------------------
# Maximum likelihood: R's glm(family = binomial) and summary.glm (estimates,
# SEs, Wald z and p, deviance, AIC, iterations); Wald intervals exp(b ± z·se);
# profile-likelihood intervals as exact roots of the profile deviance (glm
# with the coefficient as an offset, epsilon 1e-15, uniroot at tol 1e-13) —
# MASS's confint.glm interpolates a spline through a profile grid, so its
# values are kept as profile_mass (agreeing to about 1e-4); p_lr from the fit
# without that column. Firth: logistf is not packaged for Debian, so an R
# implementation: Newton's method on the modified score with its Jacobian from
# numDeriv (not the Fisher scoring outcomes uses), checked against brglm2's
# AS_mean fit; penalized LR tests and profile penalized-likelihood intervals
# with the penalty of the full design (as logistf).
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
logit_dir <- "Tests/RatesTests/LogisticReferences"
dir.create(logit_dir, showWarnings = FALSE, recursive = TRUE)
tight <- glm.control(epsilon = 1e-14, maxit = 200)
pen_loglik <- function(X, y, b) {
  eta <- drop(X %*% b); mu <- plogis(eta)
  sum(ifelse(y == 1, plogis(eta, log.p = TRUE), plogis(-eta, log.p = TRUE))) +
    0.5 * determinant(crossprod(X * sqrt(mu * (1 - mu))))$modulus[1]
}
mod_score <- function(X, y, b) {
  mu <- plogis(drop(X %*% b)); w <- mu * (1 - mu)
  XW <- X * sqrt(w)
  h <- rowSums((XW %*% base::solve(crossprod(XW))) * XW)
  drop(crossprod(X, y - mu + h * (0.5 - mu)))
}
# The roots of g(v) = -c and g(v) = +c on either side of the estimate b:
# brackets by doubling steps of se, then uniroot.
profile_roots <- function(g, b, se, c, tol) {
  side_root <- function(s) {
    inner <- b; step <- c * se; outer <- b + s * step
    while (s * g(outer) < c) { inner <- outer; step <- 2 * step; outer <- b + s * step }
    uniroot(function(v) s * g(v) - c, sort(c(inner, outer)), tol = tol)$root
  }
  c(side_root(-1), side_root(1))
}
firth_fit <- function(X, y, start = NULL, fixed = integer(0)) {
  # BFGS on the penalized log-likelihood (so the result is a maximum, not just
  # a stationary point), then Newton's method on the modified score with a
  # numerical Jacobian to polish it to rounding.
  b <- if (is.null(start)) rep(0, ncol(X)) else start
  free <- setdiff(seq_len(ncol(X)), fixed)
  if (length(free) == 0) return(list(coef = b, pl = pen_loglik(X, y, b)))
  full <- function(v) { bb <- b; bb[free] <- v; bb }
  o <- optim(b[free], function(v) -pen_loglik(X, y, full(v)), function(v) -mod_score(X, y, full(v))[free],
             method = "BFGS", control = list(reltol = 1e-16, maxit = 5000))
  b <- full(o$par)
  for (it in 1:100) {
    u <- mod_score(X, y, b)[free]
    J <- jacobian(function(v) mod_score(X, y, full(v))[free], b[free])
    step <- -base::solve(J, u)
    nb <- b; nb[free] <- b[free] + step
    if (pen_loglik(X, y, nb) < pen_loglik(X, y, b) - 1e-12) break
    b <- nb
    if (max(abs(step)) < 1e-13) break
  }
  list(coef = b, pl = pen_loglik(X, y, b))
}
logistic_case <- function(id, set, formula, conf = 0.95, firth = FALSE) {
  d <- read_set(set)
  f <- as.formula(formula)
  mf <- model.frame(f, d)
  y <- as.numeric(model.response(mf))
  X <- model.matrix(f, mf)
  n <- nrow(X); p <- ncol(X)
  z <- qnorm(1 - (1 - conf) / 2)
  cut <- qchisq(conf, 1)
  fit <- glm(f, binomial, d)
  off <- model.offset(mf)
  if (is.null(off)) off <- rep(0, n)
  terms <- list()
  if (!firth) {
    s <- summary(fit)$coefficients
    ftight <- glm.fit(X, y, family = binomial(), offset = off, control = tight)
    best <- ftight$deviance
    prof_dev <- function(j, b) glm.fit(X[, -j, drop = FALSE], y, family = binomial(), offset = off + X[, j] * b, control = tight)$deviance
    mass <- suppressMessages(confint(fit, level = conf))
    for (j in seq_len(p)) {
      b <- ftight$coefficients[j]; se <- s[j, 2]
      g <- function(v) sign(v - b) * sqrt(max(0, prof_dev(j, v) - best)) 
      r <- profile_roots(g, b, se, sqrt(cut), 1e-13); lo <- r[1]; hi <- r[2]
      dev0 <- glm.fit(X[, -j, drop = FALSE], y, family = binomial(), offset = off, control = tight)$deviance
      terms[[j]] <- list(term = colnames(X)[j], coef = s[j, 1], odds_ratio = exp(s[j, 1]), se = se, z = s[j, 3], p = s[j, 4],
                         p_lr = pchisq(dev0 - best, 1, lower.tail = FALSE),
                         lower = exp(s[j, 1] - z * se), upper = exp(s[j, 1] + z * se),
                         profile_lower = exp(lo), profile_upper = exp(hi),
                         profile_mass_lower = exp(mass[j, 1]), profile_mass_upper = exp(mass[j, 2]), aliased = FALSE)
    }
    expect <- list(method = "maximum_likelihood", n = n, n_dropped = nrow(d) - n, events = sum(y), conf_level = conf,
                   terms = terms, deviance = fit$deviance, null_deviance = fit$null.deviance,
                   df_residual = fit$df.residual, df_null = fit$df.null, aic = fit$aic, loglik = as.numeric(logLik(fit)),
                   iterations = fit$iter, converged = fit$converged,
                   tests = list(likelihood_ratio = list(statistic = fit$null.deviance - fit$deviance, df = p - 1,
                     p = pchisq(fit$null.deviance - fit$deviance, p - 1, lower.tail = FALSE))))
    call <- sprintf("glm(%s, binomial, Datasets/%s.csv); summary; confint; glm.fit profiles", formula, set)
  } else {
    ff <- firth_fit(X, y)
    bb <- suppressWarnings(coef(glm(f, binomial, d, method = brglm2::brglmFit, type = "AS_mean", epsilon = 1e-12, maxit = 500)))
    if (max(abs(bb - ff$coef)) > 1e-6) warning(id, ": brglm2 differs from the R Firth fit by ", max(abs(bb - ff$coef)))
    mu <- plogis(drop(X %*% ff$coef))
    V <- base::solve(crossprod(X * sqrt(mu * (1 - mu))))
    null <- firth_fit(X, y, start = c(ff$coef[1], rep(0, p - 1)), fixed = 2:p)
    for (j in seq_len(p)) {
      b <- ff$coef[j]; se <- sqrt(V[j, j])
      pl_at <- function(v) { st <- ff$coef; st[j] <- v; firth_fit(X, y, start = st, fixed = j)$pl }
      g <- function(v) sign(v - b) * sqrt(max(0, 2 * (ff$pl - pl_at(v))))
      r <- profile_roots(g, b, se, sqrt(cut), 1e-12); lo <- r[1]; hi <- r[2]
      terms[[j]] <- list(term = colnames(X)[j], coef = b, odds_ratio = exp(b), se = se, z = b / se,
                         p = 2 * pnorm(-abs(b / se)), p_lr = pchisq(2 * (ff$pl - pl_at(0)), 1, lower.tail = FALSE),
                         lower = exp(b - z * se), upper = exp(b + z * se),
                         profile_lower = exp(lo), profile_upper = exp(hi), aliased = FALSE)
    }
    ll <- sum(ifelse(y == 1, log(mu), log(1 - mu)))
    lr <- 2 * (ff$pl - null$pl)
    expect <- list(method = "firth", n = n, n_dropped = nrow(d) - n, events = sum(y), conf_level = conf,
                   terms = terms, deviance = -2 * ll, null_deviance = fit$null.deviance,
                   df_residual = n - p, df_null = n - 1, loglik = ll, loglik_penalized = ff$pl,
                   tests = list(likelihood_ratio = list(statistic = lr, df = p - 1, p = pchisq(lr, p - 1, lower.tail = FALSE))))
    call <- sprintf("Firth logistic regression of %s on Datasets/%s.csv (R implementation; brglm2 AS_mean check)", formula, set)
  }
  args <- c("logistic", "--data", paste0("Datasets/", set, ".csv"), "--formula", formula, "--conf-level", num(conf))
  if (firth) args <- c(args, "--firth")
  case <- list(id = id, reference = list(R = R.version.string, MASS = as.character(packageVersion("MASS"))),
               call = call, args = args, expect = expect)
  writeLines(to_json(case), file.path(logit_dir, paste0(id, ".json")))
}
logistic_case("logistic-lung-age-sex-ecog", "lung", "status == 2 ~ age + sex + ph.ecog")
logistic_case("logistic-lung-cl90", "lung", "status == 2 ~ age + sex + ph.ecog", conf = 0.9)
logistic_case("logistic-rossi", "rossi", "arrest ~ fin + age + race + wexp + mar + paro + prio")
logistic_case("logistic-veteran-interaction", "veteran", "status == 1 ~ trt * karno + celltype")
logistic_case("logistic-pbc-factor", "pbc", "status == 2 ~ trt + age + sex + factor(stage)")
logistic_case("logistic-lung-comparison-response", "lung", "ph.ecog >= 2 ~ age + sex + I(wt.loss > 0)")
# R's %in% calls a missing value FALSE; outcomes keeps it missing (the row is
# dropped and counted): veteran has no missing values, so the two agree.
logistic_case("logistic-veteran-in-response", "veteran", "celltype %in% c(\"adeno\", \"smallcell\") ~ pmin(age, 70) + karno")
logistic_case("logistic-lung-offset", "lung", "status == 2 ~ age + sex + offset(log(ph.karno / 100))")
logistic_case("logistic-veteran-offset-factor", "veteran", "status == 1 ~ celltype + offset(0.02 * karno) + trt")
logistic_case("logistic-lung-splines", "lung", "status == 2 ~ bs(ph.karno, df = 4) + poly(age, 2) + sex")
logistic_case("logistic-firth-lung-ecog", "lung", "status == 2 ~ age + sex + factor(ph.ecog)", firth = TRUE)
logistic_case("logistic-firth-rabbits", "penicillin-rabbits", "Response == 'Cured' ~ Delay + Penicillin.Level", firth = TRUE)
logistic_case("logistic-firth-aml", "aml", "status ~ x + time", firth = TRUE)
cat("wrote", length(list.files(logit_dir, pattern = "\\.json$")), "fixtures to", logit_dir, "\n")

# ---- sample size for two rates ------------------------------------------------
# R's power.prop.test (its uniroot stops at tolerance 1.2e-4 on n, so the
# unrounded n is compared at 1e-4 and the rounded one exactly); the Fleiss,
# Tytun & Ury continuity correction from its formula; the exact power of
# Fisher's two-sided test by enumerating every outcome pair with fisher.test.
design_dir <- "Tests/StudyDesignTests/References"
dir.create(design_dir, showWarnings = FALSE, recursive = TRUE)
# Fisher's two-sided p-value of every table with s per group, by fisher.test's
# rule (the mass of the outcomes no more likely, relative tolerance 1 + 1e-7)
# from dhyper per margin total: the same numbers as a loop over fisher.test
# (checked below at n_per_group), fast enough to search over sizes.
fisher_pvalues <- function(s) {
  pv <- matrix(0, s + 1, s + 1)
  for (m in 0:(2 * s)) {
    lo <- max(0, m - s); hi <- min(s, m)
    d <- dhyper(lo:hi, m, 2 * s - m, s)
    for (x in lo:hi) pv[x + 1, m - x + 1] <- sum(d[d <= d[x - lo + 1] * (1 + 1e-7)])
  }
  pv
}
fisher_power_at <- function(s, q1, q2, alpha, pv = fisher_pvalues(s)) {
  sum(outer(dbinom(0:s, s, q1), dbinom(0:s, s, q2)) * (pv <= alpha))
}
two_rates_case <- function(p1, p2, alpha = 0.05, power = 0.8) {
  pp <- power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power)
  n <- pp$n
  d <- abs(p1 - p2)
  ncc <- n / 4 * (1 + sqrt(1 + 4 / (n * d)))^2
  m <- ceiling(n)
  f1 <- dbinom(0:m, m, p1); f2 <- dbinom(0:m, m, p2)
  fisher_power <- 0
  for (a in 0:m) for (b in 0:m) {
    pv <- fisher.test(matrix(c(a, b, m - a, m - b), 2))$p.value
    if (pv <= alpha) fisher_power <- fisher_power + f1[a + 1] * f2[b + 1]
  }
  pvm <- fisher_pvalues(m)
  stopifnot(abs(fisher_power_at(m, p1, p2, alpha, pvm) - fisher_power) < 1e-12)
  pbar <- (p1 + p2) / 2
  fn <- m
  while (fisher_power_at(fn, p1, p2, alpha) < power) fn <- fn + 1
  short <- function(v) sprintf("%g", v)
  id <- paste0("two-rates-", short(p1), "-", short(p2), "-a", short(alpha), "-pw", short(power))
  case <- list(id = id, reference = list(R = R.version.string),
               call = sprintf("power.prop.test(p1 = %s, p2 = %s, sig.level = %s, power = %s); fisher.test over every outcome",
                              short(p1), short(p2), short(alpha), short(power)),
               args = c("--p1", short(p1), "--p2", short(p2), "--alpha", short(alpha), "--power", short(power)),
               expect = list(n_per_group = m, n_per_group_unrounded = n, n_per_group_cc = ceiling(ncc),
                             n_per_group_cc_unrounded = ncc, actual_alpha = alpha,
                             actual_power = power.prop.test(n = m, p1 = p1, p2 = p2, sig.level = alpha)$power,
                             fisher = list(power_at_n_per_group = fisher_power,
                                           alpha_at_n_per_group = fisher_power_at(m, pbar, pbar, alpha, pvm),
                                           n_per_group = fn, actual_alpha = fisher_power_at(fn, pbar, pbar, alpha),
                                           actual_power = fisher_power_at(fn, p1, p2, alpha))))
  writeLines(to_json(case), file.path(design_dir, paste0(id, ".json")))
}
two_rates_case(0.65, 0.85)
two_rates_case(0.35, 0.15)
two_rates_case(0.5, 0.75, alpha = 0.01, power = 0.9)
two_rates_case(0.2, 0.3)
cat("wrote two-rates fixtures to", design_dir, "\n")

# ---- single-stage exact design (A'Hern 2001) -------------------------------------
# Every n from 1 up and every cut-off r, by pbinom: the first n with some r
# meeting alpha and power, and its smallest such r.
single_stage_case <- function(p0, p1, alpha = 0.05, power = 0.8) {
  for (n in 1:1000) {
    r <- 0:(n - 1)
    ok <- which(pbinom(r, n, p0, lower.tail = FALSE) <= alpha & pbinom(r, n, p1, lower.tail = FALSE) >= power)
    if (length(ok) > 0) { r <- r[min(ok)]; break }
  }
  short <- function(v) sprintf("%g", v)
  id <- paste0("single-stage-", short(p0), "-", short(p1), "-a", short(alpha), "-pw", short(power))
  case <- list(id = id, reference = list(R = R.version.string),
               call = "pbinom over every n and cut-off (A'Hern 2001)",
               args = c("--p0", short(p0), "--p1", short(p1), "--alpha", short(alpha), "--power", short(power)),
               expect = list(n = n, r = r, min_responses = r + 1,
                             actual_alpha = pbinom(r, n, p0, lower.tail = FALSE),
                             actual_power = pbinom(r, n, p1, lower.tail = FALSE)))
  writeLines(to_json(case), file.path(design_dir, paste0(id, ".json")))
}
single_stage_case(0.65, 0.85)
single_stage_case(0.05, 0.25)
single_stage_case(0.2, 0.4)
single_stage_case(0.1, 0.3, alpha = 0.1, power = 0.9)
single_stage_case(0.6, 0.8, alpha = 0.05, power = 0.9)
cat("wrote single-stage fixtures to", design_dir, "\n")

# ---- log-rank events and patients --------------------------------------------------
# Schoenfeld's and Freedman's events and their power at the rounded events from
# the formulas; the probability of an event under uniform accrual and
# exponential survival by numerical integration, 1 - (1/a) * integral of
# S(t) over [f, a + f] (integrate, rel.tol 1e-13), not the closed form.
logrank_case <- function(hr, alpha = 0.05, power = 0.8, allocation = 0.5, accrual = NULL, follow_up = NULL,
                         median_control = NULL) {
  za <- qnorm(1 - alpha / 2); zb <- qnorm(power)
  p <- allocation; k <- p / (1 - p)
  sch <- (za + zb)^2 / (p * (1 - p) * log(hr)^2)
  fre <- (za + zb)^2 * (1 + k * hr)^2 / (k * (1 - hr)^2)
  D <- ceiling(sch); DF <- ceiling(fre)
  expect <- list(hr = hr, alpha = alpha, power = power, allocation = allocation, events = D, events_unrounded = sch,
                 actual_alpha = alpha, actual_power = pnorm(sqrt(D * p * (1 - p)) * abs(log(hr)) - za),
                 freedman = list(events = DF, events_unrounded = fre,
                                 actual_power = pnorm(sqrt(DF * k) * abs(1 - hr) / (1 + k * hr) - za)))
  short <- function(v) sprintf("%g", v)
  args <- c("--hr", short(hr), "--alpha", short(alpha), "--power", short(power), "--allocation", short(allocation))
  id <- paste0("logrank-", short(hr), "-a", short(alpha), "-pw", short(power), "-al", short(allocation))
  if (!is.null(accrual)) {
    lam0 <- log(2) / median_control; lam1 <- hr * lam0
    pe <- function(lam) {
      if (accrual == 0) return(1 - exp(-lam * follow_up))
      1 - integrate(function(t) exp(-lam * t), follow_up, accrual + follow_up, rel.tol = 1e-13)$value / accrual
    }
    P0 <- pe(lam0); P1 <- pe(lam1); pooled <- (1 - p) * P0 + p * P1
    tot <- D / pooled
    n1 <- ceiling(tot * p); n0 <- ceiling(tot * (1 - p))
    expect$patients <- list(total = n0 + n1, control = n0, experimental = n1, total_unrounded = tot,
                            accrual = accrual, follow_up = follow_up, hazard_control = lam0, hazard_experimental = lam1,
                            median_control = median_control, median_experimental = log(2) / lam1,
                            probability_of_event = list(control = P0, experimental = P1, pooled = pooled),
                            expected_events = n0 * P0 + n1 * P1)
    args <- c(args, "--accrual", short(accrual), "--follow-up", short(follow_up), "--median-control", short(median_control))
    id <- paste0(id, "-acc", short(accrual), "-fu", short(follow_up), "-med", short(median_control))
  }
  case <- list(id = id, reference = list(R = R.version.string), call = "Schoenfeld and Freedman formulas; integrate()",
               args = args, expect = expect)
  writeLines(to_json(case), file.path(design_dir, paste0(id, ".json")))
}
logrank_case(0.5)
logrank_case(0.7, allocation = 0.3)
logrank_case(0.65, power = 0.9, accrual = 24, follow_up = 12, median_control = 18)
logrank_case(0.75, accrual = 36, follow_up = 0, median_control = 60, allocation = 0.6)
logrank_case(1.5, alpha = 0.01, power = 0.9, accrual = 0, follow_up = 24, median_control = 12)
cat("wrote log-rank design fixtures to", design_dir, "\n")

# ---- Table 1 (report) -----------------------------------------------------------
# mean, sd, quantile (type 7), table, and the tests gtsummary uses by default:
# wilcox.test(exact = FALSE), kruskal.test, chisq.test(correct = FALSE),
# fisher.test for a table with two rows or two columns and an expected count below 5.
t1_dir <- "Tests/DescriptiveTests/References"
dir.create(t1_dir, showWarnings = FALSE, recursive = TRUE)
table1_case <- function(id, set, by, continuous, categorical) {
  d <- read_set(set)
  d <- d[!is.na(d[[by]]), ]
  g <- factor(d[[by]])
  cont <- lapply(continuous, function(v) {
    x <- d[[v]]
    per <- lapply(levels(g), function(l) { y <- x[g == l & !is.na(x)]
      list(n = length(y), mean = mean(y), sd = sd(y), q1 = unname(quantile(y, 0.25)), median = median(y),
           q3 = unname(quantile(y, 0.75)), missing = sum(is.na(x[g == l]))) })
    p <- if (nlevels(g) == 2) wilcox.test(x ~ g, exact = FALSE)$p.value else kruskal.test(x ~ g)$p.value
    list(variable = v, groups = per, p = p)
  })
  cat_ <- lapply(categorical, function(v) {
    tab <- table(d[[v]], g)
    e <- suppressWarnings(chisq.test(tab, correct = FALSE))
    tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
    p <- if (any(dim(tab) == 2) && any(e$expected < 5)) fisher.test(tab, workspace = 2e8)$p.value else e$p.value
    list(variable = v, levels = rownames(tab), counts = lapply(seq_len(ncol(tab)), function(j) as.numeric(tab[, j])), p = p)
  })
  case <- list(id = id, reference = list(R = R.version.string), call = "mean, sd, quantile, wilcox.test(exact = FALSE), kruskal.test, chisq.test(correct = FALSE), fisher.test",
               args = c("--data", paste0("Datasets/", set, ".csv"), "--by", by),
               expect = list(continuous = cont, categorical = cat_))
  writeLines(to_json(case), file.path(t1_dir, paste0(id, ".json")))
}
table1_case("table1-lung-sex", "lung", "sex", c("age", "ph.karno", "wt.loss", "meal.cal"), c("ph.ecog"))
table1_case("table1-lung-ecog", "lung", "ph.ecog", c("age", "wt.loss"), c("sex"))
table1_case("table1-veteran-trt", "veteran", "trt", c("karno", "age"), c("celltype", "prior"))
cat("wrote Table 1 fixtures to", t1_dir, "\n")

cat("wrote", length(list.files(out_dir, pattern = "\\.json$")), "fixtures to", out_dir, "\n")
