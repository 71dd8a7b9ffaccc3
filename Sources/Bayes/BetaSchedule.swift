// BetaSchedule.swift — how much of the KL term each minibatch carries.
//
// With M minibatches per epoch, the KL of the whole dataset must be paid once per epoch,
// so Σ_i β_i = 1 over an epoch's batches keeps the ELBO unbiased. The reference
// implementation offers these schedules:
//   Blundell  β_i = 2^(M−i) / (2^M − 1), i = 1…M: early batches pay most (Blundell et al. 2015)
//   Soenderby β = min(epoch / (epochs/4), 1): KL annealing, the KL switched on gradually
//             over the first quarter of training (Sønderby et al. 2016)
//   Standard  β = 1/M: the KL spread evenly
//   constant  β = c (the reference's default is 0.1)
// Note that the per-example ELBO scaling (ELBO.swift) divides the KL by N, not M; β then
// weighs it relative to one full KL per epoch when β = 1.

import Foundation

public enum BetaSchedule: Sendable, Equatable, CustomStringConvertible {
    case constant(Float)
    case blundell
    case soenderby
    case standard

    /// β for minibatch `batch` (1-based, of `batches` per epoch) in epoch `epoch` (0-based, of `epochs`).
    public func beta(batch i: Int, batches m: Int, epoch: Int, epochs: Int) -> Float {
        switch self {
        case let .constant(value):
            return value
        case .blundell:
            // 2^(M−i)/(2^M − 1) = 2^(−i) / (1 − 2^(−M)): the same number without overflowing 2^M.
            return Float(Foundation.pow(2.0, Double(-i)) / (1 - Foundation.pow(2.0, Double(-m))))
        case .soenderby:
            return Swift.min(Float(epoch) / Float(Swift.max(epochs / 4, 1)), 1)
        case .standard:
            return 1 / Float(m)
        }
    }

    public var description: String {
        switch self {
        case let .constant(value): "constant(\(value))"
        case .blundell: "Blundell"
        case .soenderby: "Soenderby"
        case .standard: "Standard"
        }
    }

    /// Parses "blundell", "soenderby", "standard" or a number.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "blundell": self = .blundell
        case "soenderby": self = .soenderby
        case "standard": self = .standard
        default:
            guard let value = Float(text) else { return nil }
            self = .constant(value)
        }
    }
}
