"""The shop's records. Each row keeps the source document as JSON next to the columns we query on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class Customer(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]]


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[dict[str, Any]]


class Order(Base):
    __tablename__ = "orders"
    order_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]


class Invoice(Base):
    __tablename__ = "invoices"
    invoice_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    data: Mapped[dict[str, Any]]


class Subscription(Base):
    __tablename__ = "subscriptions"
    subscription_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    data: Mapped[dict[str, Any]]


class Policy(Base):
    __tablename__ = "policy"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[dict[str, Any]]
