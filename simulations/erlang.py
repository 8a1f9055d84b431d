"""Erlang B, C and A: the closed-form (or numerically exact) quick estimate beside the simulation.

Notation: ``arrival_rate`` (calls per second), ``mean_handle_s`` (exponential service), ``agents``
(servers), ``mean_patience_s`` (exponential patience; ``None`` = callers never hang up) and
``threshold_s`` (T in "answered within T"). The offered load in Erlangs is arrival_rate *
mean_handle_s.

Stability: nothing here forms ``A**n`` or ``n!``. Erlang B uses the classic recursion B(k) = A
B(k-1) / (k + A B(k-1)), which stays in [0, 1] for any n. Erlang A works with the stationary
distribution *relative to the state "all agents busy, nobody queued"*, whose weights are products of
factors below 1 in the tail, so 1,000+ agents are no harder than 10.

Erlang A (M/M/n+M, Palm's model) has no elementary closed form for the share answered within T, so
it is computed exactly from the queue seen by an arrival (PASTA): a caller finding k others queued
waits for k + 1 "moves" of the queue head, each exponential with rate n*mu + i*theta (i callers
still ahead), and is answered if that wait ends before its own patience. The waiting-time
distribution is integrated by uniformization, a sum of positive terms that cannot cancel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Stationary weights below this are dropped when the infinite queue tail is truncated.
_TAIL_EPSILON = 1e-15
_MAX_QUEUE_STATES = 1_000_000


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Steady-state figures of one Erlang model; rates are shares of offered calls."""

    agents: int
    offered_load: float
    p_wait: float  # share of callers who find every agent busy
    service_level: float  # answered within T / offered (abandons count as misses)
    service_level_answered: float  # answered within T / answered
    asa_s: float  # mean wait of answered calls (zero waits included)
    abandon_rate: float  # abandoned / offered
    occupancy: float  # busy agents / agents

    @property
    def answer_rate(self) -> float:
        return 1.0 - self.abandon_rate


def erlang_b(agents: int, offered_load: float) -> float:
    """Blocking probability of M/M/n/n (Erlang B) by the stable recursion."""
    _check_agents(agents)
    if offered_load < 0:
        raise ValueError("offered_load must be >= 0")
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking


def erlang_c(agents: int, offered_load: float) -> float:
    """Probability of waiting in M/M/n (Erlang C); 1.0 when the queue is unstable (A >= n)."""
    _check_agents(agents)
    if offered_load >= agents:
        return 1.0
    blocking = erlang_b(agents, offered_load)
    return agents * blocking / (agents - offered_load * (1.0 - blocking))


def erlang_c_figures(
    agents: int, arrival_rate: float, mean_handle_s: float, threshold_s: float
) -> QueueFigures:
    """Erlang C (no abandonment). Raises ValueError when the queue would grow without bound."""
    _check_rates(arrival_rate, mean_handle_s, threshold_s)
    load = arrival_rate * mean_handle_s
    if load >= agents:
        raise ValueError(f"unstable queue: load {load:.2f} Erl >= {agents} agents")
    p_wait = erlang_c(agents, load)
    drain_rate = (agents - load) / mean_handle_s  # n*mu - lambda
    service_level = 1.0 - p_wait * math.exp(-drain_rate * threshold_s)
    return QueueFigures(
        agents=agents,
        offered_load=load,
        p_wait=p_wait,
        service_level=service_level,
        service_level_answered=service_level,
        asa_s=p_wait / drain_rate,
        abandon_rate=0.0,
        occupancy=load / agents,
    )


def erlang_a_figures(
    agents: int,
    arrival_rate: float,
    mean_handle_s: float,
    mean_patience_s: float | None,
    threshold_s: float,
) -> QueueFigures:
    """Erlang A (M/M/n+M); with ``mean_patience_s=None`` it is Erlang C computed the same way."""
    _check_rates(arrival_rate, mean_handle_s, threshold_s)
    _check_agents(agents)
    if mean_patience_s is not None and mean_patience_s <= 0:
        raise ValueError("mean_patience_s must be > 0")
    if mean_patience_s is None:
        return erlang_c_figures(agents, arrival_rate, mean_handle_s, threshold_s)
    mu = 1.0 / mean_handle_s
    theta = 1.0 / mean_patience_s
    load = arrival_rate * mean_handle_s
    queue_weights = _queue_weights(agents, arrival_rate, mu, theta)
    # Weight of the states with a free agent, relative to "n busy, 0 queued" (= 1/B).
    free_weight = 1.0 / erlang_b(agents, load) - 1.0
    total = free_weight + sum(queue_weights)
    arrival_sees = [w / total for w in queue_weights]  # P(arrival finds k queued)
    p_wait = sum(arrival_sees)
    queued_mean = sum(k * p for k, p in enumerate(arrival_sees))
    abandon_rate = theta * queued_mean / arrival_rate
    served_after_wait, wait_of_served = _served_after_wait(arrival_sees, agents * mu, theta)
    within_t = _answered_within(arrival_sees, agents * mu, theta, threshold_s)
    answered = 1.0 - abandon_rate
    no_wait = 1.0 - p_wait
    busy_agents = load * answered
    del served_after_wait  # equals answered - no_wait; kept as a cross-check in tests
    return QueueFigures(
        agents=agents,
        offered_load=load,
        p_wait=p_wait,
        service_level=no_wait + within_t,
        service_level_answered=(no_wait + within_t) / answered,
        asa_s=wait_of_served / answered,
        abandon_rate=abandon_rate,
        occupancy=busy_agents / agents,
    )


def erlang_a_served_after_wait(
    agents: int, arrival_rate: float, mean_handle_s: float, mean_patience_s: float
) -> float:
    """Share of offered calls that queue and are then answered (for cross-checking)."""
    mu = 1.0 / mean_handle_s
    theta = 1.0 / mean_patience_s
    load = arrival_rate * mean_handle_s
    weights = _queue_weights(agents, arrival_rate, mu, theta)
    total = 1.0 / erlang_b(agents, load) - 1.0 + sum(weights)
    served, _ = _served_after_wait([w / total for w in weights], agents * mu, theta)
    return served


def fewest_agents(
    arrival_rate: float,
    mean_handle_s: float,
    mean_patience_s: float | None,
    threshold_s: float,
    target_service_level: float,
    max_abandon_rate: float | None = None,
    max_agents: int = 100_000,
) -> tuple[int, QueueFigures]:
    """Smallest n whose Erlang figures meet the service level (and abandonment) target."""
    if not 0.0 <= target_service_level < 1.0:
        raise ValueError("target_service_level must be in [0, 1)")
    load = arrival_rate * mean_handle_s
    if arrival_rate == 0:
        return 0, QueueFigures(0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0)
    start = max(1, math.floor(load) + (1 if mean_patience_s is None else 0))
    for agents in range(start, max_agents + 1):
        figures = erlang_a_figures(
            agents, arrival_rate, mean_handle_s, mean_patience_s, threshold_s
        )
        meets_sl = figures.service_level >= target_service_level
        meets_abandon = max_abandon_rate is None or figures.abandon_rate <= max_abandon_rate
        if meets_sl and meets_abandon:
            return agents, figures
    raise ValueError(f"no staffing up to {max_agents} agents meets the target")


def _queue_weights(agents: int, arrival_rate: float, mu: float, theta: float) -> list[float]:
    """Weights of "n busy, k queued" for k = 0, 1, ... relative to k = 0, tail truncated."""
    weights = [1.0]
    weight = 1.0
    cumulative = 1.0
    k = 0
    while k < _MAX_QUEUE_STATES:
        k += 1
        weight *= arrival_rate / (agents * mu + k * theta)
        weights.append(weight)
        cumulative += weight
        if weight < _TAIL_EPSILON * cumulative and arrival_rate < agents * mu + k * theta:
            break
    return weights


def _served_after_wait(
    arrival_sees: list[float], service_rate: float, theta: float
) -> tuple[float, float]:
    """(P(queued then answered), E[wait * 1{answered}]) over arrivals that queue.

    With k ahead the wait V is a sum of exponentials with rates r_i = n*mu + i*theta (i = k..0) and
    the caller is answered when V < patience, so by the Laplace transform at theta:
    P(answered) = prod r_i / (r_i + theta) and
    E[V 1{answered}] = P(answered) * sum 1 / (r_i + theta).
    """
    served = 0.0
    wait_of_served = 0.0
    product = 1.0
    reciprocal_sum = 0.0
    for k, share in enumerate(arrival_sees):
        rate = service_rate + k * theta
        product *= rate / (rate + theta)
        reciprocal_sum += 1.0 / (rate + theta)
        served += share * product
        wait_of_served += share * product * reciprocal_sum
    return served, wait_of_served


def _answered_within(
    arrival_sees: list[float], service_rate: float, theta: float, threshold_s: float
) -> float:
    """P(the arrival queues and is answered within threshold_s), by uniformization.

    The tagged caller's state is "i ahead" (i = K..0), then "answered". From i it moves to i - 1 (or
    to answered from 0) at rate n*mu + i*theta and is lost (abandons) at rate theta. The initial
    vector is the distribution seen on arrival, so one pass covers every k at once.
    """
    if threshold_s == 0:
        return 0.0
    size = len(arrival_sees)
    uniform_rate = service_rate + (size - 1) * theta + theta
    stay = [1.0 - (service_rate + i * theta + theta) / uniform_rate for i in range(size)]
    move = [(service_rate + i * theta) / uniform_rate for i in range(size)]
    probabilities = list(arrival_sees)
    answered = 0.0
    mean_jumps = uniform_rate * threshold_s
    # Poisson(mean_jumps) weights, walked in log space so large means do not underflow at m = 0.
    last_jump = int(mean_jumps + 12.0 * math.sqrt(mean_jumps) + 30.0)
    result = 0.0
    for jumps in range(last_jump + 1):
        log_weight = -mean_jumps + jumps * math.log(mean_jumps) - math.lgamma(jumps + 1)
        result += math.exp(log_weight) * answered
        # One step of the uniformized chain: the absorbed mass only grows.
        answered += probabilities[0] * move[0]
        nxt = [0.0] * size
        for i in range(size):
            mass = probabilities[i]
            if mass == 0.0:
                continue
            nxt[i] += mass * stay[i]
            if i > 0:
                nxt[i - 1] += mass * move[i]
        probabilities = nxt
    return result


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise ValueError("agents must be >= 0")


def _check_rates(arrival_rate: float, mean_handle_s: float, threshold_s: float) -> None:
    if arrival_rate < 0:
        raise ValueError("arrival_rate must be >= 0")
    if mean_handle_s <= 0:
        raise ValueError("mean_handle_s must be > 0")
    if threshold_s < 0:
        raise ValueError("threshold_s must be >= 0")
