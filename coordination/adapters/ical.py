"""Calendar feeds in iCalendar (RFC 5545) with the icalendar library: the services' `CalendarWriter`."""

from icalendar import Alarm, Calendar, Event

from coordination.services.ports import FeedEvent


def write_calendar(*, name: str, events: list[FeedEvent]) -> bytes:
    """One VCALENDAR named `name`, a VEVENT with a display alarm for each event."""
    feed = Calendar()
    feed.add("prodid", "-//coordination//joint actions of OHCHR and the IACHR//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", e.stamp)
        event.add("dtstart", e.start)
        event.add("dtend", e.end)
        event.add("summary", e.summary)
        event.add("description", e.description)
        event.add("url", e.url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.alarm)
        alarm.add("trigger", -e.alarm_before)
        event.add_component(alarm)
        feed.add_component(event)
    return bytes(feed.to_ical())
