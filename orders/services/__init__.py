"""Every write to orders. One module per part:

- ``lifecycle``: the one function per order transition (and the timeline);
- ``cart`` and ``checkout``: the cart, the address book and placing orders;
- ``payments``: starting payments, gateway callbacks, refunds through the provider;
- ``aftersales``: returns and complaints;
- ``timers``: what beat runs (unpaid orders, automatic receipt, completion).
"""
