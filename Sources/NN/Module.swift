// Module.swift — the building block of networks: parameters and buffers discoverable by
// name, train/eval mode, composition.
//
// Discovery is by reflection over stored properties, so a layer is written as a plain class
// with its tensors and sub-modules as properties in reading order:
//   - a stored `Tensor` with `requiresGrad` is a parameter (the optimizer updates it);
//   - a stored `Tensor` without `requiresGrad` is a buffer (saved in checkpoints, e.g. the
//     running mean of batch norm);
//   - a stored `Module` or `[Module]` is a child, named by its property (and index).
// Optionals holding a value count like the value. Values a forward pass leaves behind that are
// not state (a cache, the last KL term) go in a `Transient`, which reflection does not open.

import Engine

open class Module {
    /// Training mode (dropout active, batch norm uses batch statistics). Set with `train()`/`eval()`.
    public private(set) var isTraining = true

    public init() {}

    /// The forward pass. Subclasses override this.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward(_:)")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

    /// Direct sub-modules with their names, in declaration order.
    open var namedChildren: [(String, Module)] {
        var children: [(String, Module)] = []
        for child in Mirror(reflecting: self).allChildren {
            guard let label = child.label else { continue }
            if let module = child.value as? Module {
                children.append((label, module))
            } else if let modules = child.value as? [Module] {
                for (i, module) in modules.enumerated() { children.append(("\(label).\(i)", module)) }
            }
        }
        return children
    }

    /// Tensors stored directly on this module (not in children), with their names.
    open var namedOwnTensors: [(String, Tensor)] {
        Mirror(reflecting: self).allChildren.compactMap { child in
            guard let label = child.label, let tensor = child.value as? Tensor else { return nil }
            return (label, tensor)
        }
    }

    /// Every parameter of this module and its descendants, named by path ("conv1.weight").
    public var namedParameters: [(String, Tensor)] { namedTensors.filter { $0.1.requiresGrad } }
    /// Every buffer (non-trainable state) of this module and its descendants.
    public var namedBuffers: [(String, Tensor)] { namedTensors.filter { !$0.1.requiresGrad } }
    public var parameters: [Tensor] { namedParameters.map(\.1) }
    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Parameters and buffers, named by path.
    public var namedTensors: [(String, Tensor)] {
        var result = namedOwnTensors
        for (name, child) in namedChildren {
            result += child.namedTensors.map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// This module and all its descendants, depth first.
    public var allModules: [Module] { [self] + namedChildren.flatMap { $0.1.allModules } }

    public func train() { for module in allModules { module.isTraining = true } }
    public func eval() { for module in allModules { module.isTraining = false } }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// Layers applied one after another.
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: [Module]) { self.layers = layers }
    public convenience init(_ layers: Module...) { self.init(layers) }

    override public func forward(_ x: Tensor) -> Tensor {
        layers.reduce(x) { input, layer in layer(input) }
    }
}

/// A module made from a function without state (activations, flatten).
public final class Lambda: Module {
    let function: (Tensor) -> Tensor
    public init(_ function: @escaping (Tensor) -> Tensor) { self.function = function }
    override public func forward(_ x: Tensor) -> Tensor { function(x) }
}

/// A value computed during a forward pass that is not state: module reflection skips it, so it
/// is neither optimised nor saved in checkpoints.
public struct Transient<Value> {
    public var value: Value?
    public init(_ value: Value? = nil) { self.value = value }
}

extension Mirror {
    /// Children including those declared in superclasses.
    var allChildren: [Mirror.Child] {
        Array(children) + (superclassMirror?.allChildren ?? [])
    }
}
