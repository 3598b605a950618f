extension MatchModel {
    /// The model with labelled pairs folded in: confirmed duplicates move m towards their grades,
    /// rejected candidates move u towards theirs. Labels add up over repeated refinements, and
    /// the estimate keeps the weight of `estimateStrength` pairs.
    public func refined(confirmed: [ComparisonVector], rejected: [ComparisonVector]) -> MatchModel {
        var model = self
        for vector in confirmed {
            for field in model.fields.indices {
                if let grade = vector[field], grade < model.fields[field].confirmed.count {
                    model.fields[field].confirmed[grade] += 1
                }
            }
        }
        for vector in rejected {
            for field in model.fields.indices {
                if let grade = vector[field], grade < model.fields[field].rejected.count {
                    model.fields[field].rejected[grade] += 1
                }
            }
        }
        return model
    }

    /// This model with the labels of `other` (e.g. the model it replaces after a new estimate),
    /// for every field whose name and grades both models share.
    public func keepingLabels(of other: MatchModel) -> MatchModel {
        var model = self
        for field in model.fields.indices {
            guard let previous = other.fields.first(where: { $0.name == model.fields[field].name }),
                  previous.grades == model.fields[field].grades else { continue }
            model.fields[field].confirmed = previous.confirmed
            model.fields[field].rejected = previous.rejected
        }
        return model
    }
}
