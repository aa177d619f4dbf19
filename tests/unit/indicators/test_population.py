"""The simulated population: seeded, with a known truth and the behaviours the levers need."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from carelab.indicators.population import FOUR_HOURS, PopulationSpec, simulate

SMALL = PopulationSpec(providers=30, patients=6_000)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_the_same_seed_gives_the_same_population(seed):
    spec = PopulationSpec(seed=seed, providers=20, patients=2_000)
    first, second = simulate(spec), simulate(spec)
    assert first.providers.equals(second.providers)
    for key, values in first.patients.items():
        assert np.array_equal(values, second.patients[key])
    for key, values in first.attendances.items():
        assert np.array_equal(values, second.attendances[key])


def test_different_seeds_differ():
    a = simulate(PopulationSpec(seed=1, providers=20, patients=2_000))
    b = simulate(PopulationSpec(seed=2, providers=20, patients=2_000))
    assert not np.array_equal(a.providers["true_quality"], b.providers["true_quality"])


def test_sizes_and_shapes_follow_the_spec():
    population = simulate(SMALL)
    assert len(population.providers) == 30
    assert all(len(v) == 6_000 for v in population.patients.values())
    assert population.patients["month"].max() == 11
    assert np.isclose(population.providers["share"].sum(), 1.0)


def test_better_quality_means_fewer_deaths():
    population = simulate(PopulationSpec(providers=100, patients=60_000, quality_sd=0.5))
    provider = population.patients["provider"]
    deaths = np.bincount(provider, population.patients["died"], minlength=100)
    counts = np.bincount(provider, minlength=100)
    quality = population.providers["true_quality"].to_numpy()
    good, bad = quality > 0.5, quality < -0.5
    assert deaths[good].sum() / counts[good].sum() < deaths[bad].sum() / counts[bad].sum()


def test_exceptions_are_taken_only_from_patients_without_the_care():
    patients = simulate(SMALL).patients
    assert not (patients["excepted"] & patients["process_done"]).any()
    assert patients["excepted"].any()


def test_in_hospital_deaths_are_a_subset_of_30_day_deaths():
    patients = simulate(SMALL).patients
    assert not (patients["died_in_hospital"] & ~patients["died"]).any()


def test_gaming_moves_breaches_to_just_under_four_hours_and_only_for_gamers():
    population = simulate(PopulationSpec(providers=40, patients=20_000, gaming_share=0.5))
    visits = population.attendances
    moved = visits["reported_wait"] != visits["true_wait"]
    assert moved.any()
    gamers = population.providers["games_four_hours"].to_numpy()[visits["provider"]]
    assert not (moved & ~gamers).any()
    assert (visits["true_wait"][moved] >= FOUR_HOURS).all()
    assert ((visits["reported_wait"][moved] >= FOUR_HOURS - 20)
            & (visits["reported_wait"][moved] < FOUR_HOURS)).all()  # fmt: skip


def test_no_gaming_by_default():
    visits = simulate(SMALL).attendances
    assert np.array_equal(visits["reported_wait"], visits["true_wait"])
