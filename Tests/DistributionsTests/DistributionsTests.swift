import Distributions
import Testing
import TestSupport

/// Values from R 4.2.2 (`sprintf("%.17g", ...)`).
@Suite("Distributions over Rmath")
struct DistributionsTests {
  @Test("normal: qnorm(0.975), pnorm(-1.96), R 4.2.2")
  func normal() {
    expectClose(Normal.twoSidedCriticalValue(confidenceLevel: 0.95), 1.9599639845400536, relative: 1e-15, "qnorm(0.975)")
    expectClose(Normal.standard.cdf(-1.96), 0.024997895148220428, relative: 1e-15, "pnorm(-1.96)")
    expectClose(Normal.standard.cdf(1.96, tail: .upper), 0.024997895148220428, relative: 1e-15, "pnorm(1.96, lower=F)")
  }

  @Test("chi-squared: pchisq(10.33, 1, lower = FALSE), qchisq(0.95, 3), R 4.2.2")
  func chiSquared() {
    expectClose(ChiSquared(degreesOfFreedom: 1).cdf(10.33, tail: .upper), 0.0013088520613491696, relative: 1e-13, "pchisq")
    expectClose(ChiSquared(degreesOfFreedom: 3).quantile(0.95), 7.8147279032511792, relative: 1e-14, "qchisq")
  }

  @Test("beta, binomial, t, F, hypergeometric agree with R 4.2.2")
  func others() {
    expectClose(BetaDistribution(alpha: 7, beta: 14).quantile(0.025), 0.15390920478454115, relative: 1e-13, "qbeta")
    expectClose(Binomial(trials: 20, probability: 0.35).cdf(7, tail: .lower), 0.60102660460316426, relative: 1e-13, "pbinom")
    expectClose(StudentT(degreesOfFreedom: 10).quantile(0.975), 2.2281388519862739, relative: 1e-13, "qt")
    expectClose(FisherF(numeratorDegreesOfFreedom: 2, denominatorDegreesOfFreedom: 10).cdf(3, tail: .upper), 0.095367431640624972, relative: 1e-13, "pf")
    expectClose(Hypergeometric(white: 12, black: 28, drawn: 20).probabilityMass(5), 0.21512468231044421, relative: 1e-12, "dhyper")
  }
}
