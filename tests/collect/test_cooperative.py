"""Phases side by side on one Playwright: a function waiting blocks only itself."""
from __future__ import annotations

from playwright.sync_api import sync_playwright

from scanner.collect.cooperative import Cooperative, Slots, Stream


def test_functions_run_side_by_side_and_hand_each_other_results():
    with sync_playwright() as pw:
        together = Cooperative(pw)
        first_done, second_done = together.future(), together.future()
        order = []

        def waits_for_the_second():
            order.append("first starts")
            value = together.wait(second_done)  # would never return if the others could not run meanwhile
            order.append("first resumes")
            first_done.set_result(value + 1)
            return value + 1

        def waits_for_the_third():
            order.append("second starts")
            second_done.set_result(41)
            return together.wait(first_done) * 10

        def fails():
            order.append("third starts")
            raise ValueError("a phase's own error")

        results = together.run([waits_for_the_second, waits_for_the_third, fails])
    assert results[:2] == [42, 420]
    assert isinstance(results[2], ValueError) and str(results[2]) == "a phase's own error"
    assert order[:3] == ["first starts", "second starts", "third starts"] and "first resumes" in order


def test_slots_let_no_more_than_n_in_at_once():
    with sync_playwright() as pw:
        together = Cooperative(pw)
        slots = Slots(together, 2)
        inside, most, gates = [0], [0], [together.future() for _ in range(3)]
        events = []

        def phase(i):
            with slots.held():
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                events.append(f"in {i}")
                if i < 2:
                    together.wait(gates[0])  # the first two hold their slots until released
                inside[0] -= 1
            events.append(f"out {i}")

        def release_first():
            events.append("release")
            gates[0].set_result(None)

        together.run([lambda: phase(0), lambda: phase(1), lambda: phase(2), release_first])
    assert most[0] == 2
    assert events.index("in 2") > events.index("release")  # the third entered only once a slot was free


def test_a_stream_is_read_item_by_item_as_it_grows():
    with sync_playwright() as pw:
        together = Cooperative(pw)
        pages = Stream(together)
        gate = together.future()
        events = []

        def finder():
            pages.put("start")
            pages.put("a")
            events.append("found a")
            together.wait(gate)  # the reader must get "a" while the finder still waits here
            pages.put("b")
            pages.close()

        def reader():
            read = []
            for item in pages:
                read.append(item)
                events.append(f"read {item}")
                if item == "a":
                    gate.set_result(None)
            return read

        def late_reader():
            together.wait(gate)
            return list(pages)  # from the start, and up to the close

        _, read, late = together.run([finder, reader, late_reader])
    assert read == ["start", "a", "b"] and late == ["start", "a", "b"]
    assert events.index("read a") < events.index("read b") and pages.closed and pages.items() == ("start", "a", "b")


def test_a_closed_stream_refuses_more_and_ends_its_readers():
    with sync_playwright() as pw:
        together = Cooperative(pw)
        pages = Stream(together)

        def reader():
            return list(pages)

        def closer():
            pages.close()

        read, _ = together.run([reader, closer])
        assert read == []
        try:
            pages.put("late")
        except RuntimeError:
            pass
        else:
            raise AssertionError("a closed stream took an item")
