"""The app's iPhone screen: it walks the person through unlocking and Trust, follows the
phone's state, and hands the check to the same pipeline."""

from __future__ import annotations

from collections.abc import Callable

from exposure.scan import SourceSpec
from exposure.tui.app import ExposureApp
from exposure.tui.screens.iphone import IphoneScreen
from exposure.tui.screens.profiles import ProfilesScreen
from exposure.tui.screens.results import ResultsScreen
from exposure.tui.screens.source import SourceScreen
from tests.ios.fake_iphone import UDID, FakeMux, FakePhone
from tests.tui.helpers import wait_for
from tests.tui.test_flow import shown_text

Plug = Callable[..., FakeMux]


async def _to_iphone_screen(app: ExposureApp, pilot: object) -> None:
    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))  # type: ignore[arg-type]
    await pilot.press("down", "down", "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, IphoneScreen))  # type: ignore[arg-type]


async def test_screen_says_what_to_do_without_usbmuxd(plug: Plug) -> None:
    plug(running=False)
    app = ExposureApp(lang="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await _to_iphone_screen(app, pilot)
        assert "Trust This Computer?" in shown_text(app)
        await wait_for(pilot, lambda: "cannot reach usbmuxd" in shown_text(app))


async def test_screen_follows_an_untrusted_phone_and_checks_a_trusted_one(plug: Plug) -> None:
    phone = FakePhone(trusted=False)
    plug(phone)
    app = ExposureApp(lang="zh")
    async with app.run_test(size=(100, 32)) as pilot:
        await _to_iphone_screen(app, pilot)
        await wait_for(pilot, lambda: "还不信任这台电脑" in shown_text(app))
        assert ("lockdown", "Pair") not in phone.calls  # looking causes no Trust prompt
        plug(FakePhone())  # the person tapped Trust (here: a phone that trusts this computer)
        await pilot.press("r")
        await wait_for(pilot, lambda: "信任这台电脑：按回车键" in shown_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert app.sources == (SourceSpec("iphone", UDID),)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResultsScreen) and "这台 iPhone 现在信任这台电脑"
                       in shown_text(app), timeout=30)
        assert "Traceback" not in shown_text(app)
