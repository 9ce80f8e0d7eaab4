"""Random-delay specifications usable for every delay in a scenario file.

All values are minutes unless a field says otherwise. Each spec turns uniforms into samples by
its inverse CDF, so a sample is a pure function of its uniform (see ``sim.core.rng``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from sim.core.limits import BoundaryModel

_Z90 = 1.2815515655446004  # standard normal 90th percentile


class _Spec(BoundaryModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def sample(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class Fixed(_Spec):
    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)

    def sample(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=float)

    def mean(self) -> float:
        return self.value


class Exponential(_Spec):
    dist: Literal["exponential"]
    mean_min: float = Field(gt=0, alias="mean")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def sample(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_min * np.log1p(-u)

    def mean(self) -> float:
        return self.mean_min


class LogNormal(_Spec):
    """Lognormal given by its median and 90th percentile, as survey data usually are."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    p90: float = Field(gt=0)

    @model_validator(mode="after")
    def _p90_above_median(self) -> LogNormal:
        if self.p90 <= self.median:
            raise ValueError(f"p90 must be greater than median ({self.median}), got {self.p90}")
        return self

    @property
    def sigma(self) -> float:
        return math.log(self.p90 / self.median) / _Z90

    def sample(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri  # deferred: scipy.special is ~0.2 s of start-up

        return self.median * np.exp(self.sigma * ndtri(u))

    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)


class Triangular(_Spec):
    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}"
            )
        return self

    def sample(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Empirical(_Spec):
    """Resampling of observed values (each equally likely)."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)

    def sample(self, u: np.ndarray) -> np.ndarray:
        vals = np.asarray(self.values, dtype=float)
        idx = np.minimum((u * len(vals)).astype(int), len(vals) - 1)
        return vals[idx]

    def mean(self) -> float:
        return float(np.mean(self.values))


def _number_is_fixed(v: Any) -> Any:
    # A bare number in a scenario file means a fixed delay: `preparation: 5`.
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {"dist": "fixed", "value": v}
    return v


Dist = Annotated[
    Annotated[Fixed | Exponential | LogNormal | Triangular | Empirical, Field(discriminator="dist")],
    BeforeValidator(_number_is_fixed),
]
