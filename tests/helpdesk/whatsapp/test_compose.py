"""One turn's replies merged into as few messages as Meta lets one message carry, and what
the sandbox (which validates every body as Meta does) received."""

from __future__ import annotations

from helpdesk.whatsapp import compose
from helpdesk.whatsapp.compose import Part
from helpdesk.whatsapp.outbound import Sender
from helpdesk.whatsapp.payloads import MAX_INTERACTIVE_BODY
from tests.helpdesk.whatsapp.conftest import Stack
from tests.support.servers import PROJECT_ROOT

BSUID = "US.33001122334455667788"
PICTURE = str(PROJECT_ROOT / "assets" / "examples" / "damage_photo.png")
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_text_then_question_is_one_question() -> None:
    merged = compose.merge([Part("text", text="Thanks!"), Part("choices", "Did it work?", YES_NO)])
    assert merged == [Part("choices", text="Thanks!\n\nDid it work?", buttons=YES_NO)]


def test_a_picture_takes_the_text_as_caption_or_tops_the_question() -> None:
    picture = Part("media", media_kind="image", source=PICTURE)
    assert compose.merge([picture, Part("text", text="Like this")])[0].caption == "Like this"
    assert compose.merge([Part("text", text="Like this"), picture])[0].caption == "Like this"
    [question] = compose.merge([picture, Part("choices", text="Is it?", buttons=YES_NO)])
    assert question.header == PICTURE


def test_what_cannot_be_joined_stays_apart() -> None:
    long = Part("text", text="x" * MAX_INTERACTIVE_BODY)
    assert len(compose.merge([long, Part("choices", text="Ok?", buttons=YES_NO)])) == 2
    many = [{"title": str(i), "payload": f"/{i}"} for i in range(5)]
    picture = Part("media", media_kind="image", source=PICTURE)
    assert len(compose.merge([picture, Part("choices", text="Pick", buttons=many)])) == 2
    custom = Part("custom", data={"type": "location"})
    assert len(compose.merge([Part("text", text="a"), custom, Part("text", text="b")])) == 3
    question = Part("choices", text="Ok?", buttons=YES_NO)
    assert len(compose.merge([question, Part("text", text="after")])) == 2  # question last


async def test_a_fix_turn_goes_out_as_two_messages_the_sandbox_accepts(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID, username="@ana.b")
    before = len(stack.sent(BSUID))
    turn = [
        Part("text", text="This usually means the router needs a restart."),
        Part("media", media_kind="image", source=PICTURE),
        Part("text", text="Unplug it for 30 seconds, then plug it back in."),
        Part("choices", text="Did that fix it?", buttons=YES_NO),
    ]
    wamids = await compose.send(sender, BSUID, turn)
    assert len(wamids) == 2 and all(wamids)
    image, question = stack.sent(BSUID)[before:]
    assert image["image"]["caption"].startswith("This usually means")
    assert question["interactive"]["body"]["text"].startswith("Unplug it")
    assert image["recipient"] == question["recipient"] == BSUID


async def test_a_picture_becomes_the_header_of_reply_buttons(
    database_url: str, stack: Stack, sender: Sender
) -> None:
    stack.say(database_url, BSUID)
    before = len(stack.sent(BSUID))
    turn = [
        Part("media", media_kind="image", source=PICTURE),
        Part(
            "choices",
            text="Now the label, or skip",
            buttons=[{"title": "Skip", "payload": "/skip"}],
        ),
    ]
    assert all(await compose.send(sender, BSUID, turn))
    [question] = stack.sent(BSUID)[before:]
    header = question["interactive"]["header"]
    assert header["type"] == "image" and header["image"]["id"]
