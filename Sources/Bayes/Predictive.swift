// Predictive.swift — the posterior predictive by Monte Carlo:
//     p(y | x, D) ≈ (1/T) Σ_t p(y | x, w_t),  w_t ~ q(w)
// `predict` returns the T per-sample probability vectors (`predictLogits` the logits they are
// the softmax of), from which the predictive mean and the uncertainty measures
// (Uncertainty.swift) are computed.

import Engine
import NN

/// T Monte Carlo class-probability vectors for every example: [T, N, C], the softmax of
/// `predictLogits` (see there for how the T samples are drawn).
public func predict(_ model: Module, _ x: Tensor, samples t: Int, maxRowsPerPass: Int = 1024) -> Tensor {
    withoutGradient { softmax(predictLogits(model, x, samples: t, maxRowsPerPass: maxRowsPerPass), axis: -1) }
}

/// T Monte Carlo logit vectors z_t = f(x; w_t) for every example: [T, N, C] (for the uncertainty
/// formulas' two ways of making probabilities, `ProbabilityMethod`).
///
/// When every Bayesian layer uses local reparameterization, copies of the batch are stacked
/// and run in one pass (each copy gets its own activation noise, hence its own effective
/// weight sample), in chunks of at most `maxRowsPerPass` rows so memory stays bounded (and
/// under the allocator's 32 MiB reuse limit for LeNet-5's largest activation). The first layer's
/// mean and variance, the same for every copy, are computed once (`StackedCopies`).
/// Otherwise (Bayes by Backprop, Flipout) each of the T samples is its own forward pass, so
/// that every copy of an example really sees its own weight sample — one shared weight sample
/// across stacked copies would make the copies identical and the epistemic spread zero.
public func predictLogits(_ model: Module, _ x: Tensor, samples t: Int, maxRowsPerPass: Int = 1024) -> Tensor {
    precondition(t >= 1, "predict needs at least one sample")
    let n = x.shape[0]
    return withoutGradient {
        let stackable = model.bayesianLayers.allSatisfy { $0.estimator == .localReparameterization }
        var passes: [Tensor] = []
        if stackable && t > 1 {
            let copiesPerPass = Swift.max(1, Swift.min(t, maxRowsPerPass / Swift.max(n, 1)))
            var done = 0
            while done < t {
                let copies = Swift.min(copiesPerPass, t - done)
                let stacked = concatenate([Tensor](repeating: x, count: copies), axis: 0)
                let logits = StackedCopies.$count.withValue(copies) { model(stacked) }
                passes.append(logits.reshaped([copies, n, -1]))
                done += copies
            }
        } else {
            for _ in 0..<t { passes.append(model(x).reshaped([1, n, -1])) }
        }
        return passes.count == 1 ? passes[0] : concatenate(passes, axis: 0)
    }
}

/// The Monte Carlo predictive mean (1/T) Σ_t p_t: [N, C].
public func predictiveMean(_ probabilities: Tensor) -> Tensor {
    mean(probabilities, axes: [0])
}
