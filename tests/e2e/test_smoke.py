from devstack.clients import Customer


async def test_greeting_reaches_rasa(app_url: str) -> None:
    customer = await Customer(app_url).start()
    replies = await customer.ask("hello there")
    assert any("orders and billing" in r for r in replies), replies
