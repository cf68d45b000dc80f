"""The travel check is its own worry in the app: offered, never ticked for you."""

from __future__ import annotations

from textual.widgets import SelectionList

from exposure.tui.app import ExposureApp
from exposure.tui.screens.profiles import ProfilesScreen
from tests.tui.helpers import wait_for

TRAVEL = "flagged-apps-xinjiang"


async def test_the_travel_worry_is_offered_unticked_and_used_only_when_chosen() -> None:
    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        chooser = screen.query_one("#profiles", SelectionList)
        prompts = [str(chooser.get_option_at_index(i).prompt) for i in range(chooser.option_count)]
        travel = next(i for i, p in enumerate(screen.profiles) if p.id == TRAVEL)
        assert prompts[travel] == "I am travelling to China, or my phone may be checked by Chinese police"
        assert TRAVEL not in chooser.selected and len(chooser.selected) == len(prompts) - 1
        # The default choice asks the scan for its defaults, which leave the travel check out.
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProfilesScreen))
        assert app.selected_profiles is None

    app = ExposureApp(demo=True, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        # Ticking it passes it, with the other worries, by name.
        app.screen.query_one("#profiles", SelectionList).select(TRAVEL)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProfilesScreen))
        assert app.selected_profiles is not None and TRAVEL in app.selected_profiles
        assert len(app.selected_profiles) == len(prompts)
