# R side of deepica's comparison harness: times R's fastICA (method "C",
# parallel, logcosh, the same w.init, tol and max iterations as the others)
# on the raw little-endian float64 copies of the inputs that the Go harness
# writes beside the .npy files (R has no .npy reader in Debian's packages).
# Usage: Rscript fastica.R DIR RUNS [BUDGET_SECONDS]  → one JSON line on stdout.
suppressMessages(library(fastICA))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
runs <- as.integer(args[2])
budget <- if (length(args) >= 3) as.numeric(args[3]) else 0
rd <- function(name) {
  dims <- scan(file.path(dir, paste0(name, ".shape")), quiet = TRUE)
  con <- file(file.path(dir, paste0(name, ".f64")), "rb")
  v <- readBin(con, "double", n = dims[1] * dims[2], size = 8, endian = "little")
  close(con)
  matrix(v, nrow = dims[1], ncol = dims[2], byrow = TRUE)
}
X <- rd("X")
W <- rd("W_init")
k <- nrow(W)
times <- c()
for (i in seq_len(runs)) {
  if (budget > 0 && length(times) >= 2 && sum(times) + times[1] > budget) break
  t0 <- proc.time()[["elapsed"]]
  res <- fastICA(X, n.comp = k, alg.typ = "parallel", fun = "logcosh", alpha = 1,
                 method = "C", row.norm = FALSE, maxit = 200, tol = 1e-4, w.init = W)
  times <- c(times, proc.time()[["elapsed"]] - t0)
}
cat(sprintf('{"times": [%s], "blas": "%s", "extra": {}}\n',
            paste(sprintf("%.6f", times), collapse = ", "), "R's own BLAS"))
