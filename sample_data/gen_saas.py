"""Clean support scenarios for "Taskflow", a project-management SaaS with web and mobile apps."""

from __future__ import annotations

import random

from gen_engine import SAME, Scenario

BRAND = "Taskflow"

SYSTEM_PROMPTS = [
    "You are Taskflow's support assistant. Answer clearly and concisely, give concrete steps, and never ask users for passwords.",
    "You are a friendly customer support agent for Taskflow, a project management app. Be accurate and explain where settings live.",
    "You help Taskflow customers with accounts, billing, integrations and the API. If you are unsure, say so and offer to escalate.",
]
DEVICES = ["iPhone 15", "Pixel 8", "Galaxy S23", "iPad Air", "OnePlus 12", "Moto G54"]
BROWSERS = ["Chrome", "Firefox", "Safari", "Edge"]
INTEGRATIONS = ["Slack", "Google Calendar", "GitHub", "Microsoft Teams", "Zapier", "Jira"]
PLANS = ["Starter", "Team", "Business"]

SCENARIOS = [
    Scenario(
        "two_factor",
        match=((0,), (2,), (1,)),
        fu_match=((0, 1), (1,), (1,)),
        asks=[
            "I got a new phone and my authenticator app codes no longer work, so I'm locked out of Taskflow. How do I get back in?",
            "Can I turn off two-factor authentication for my account? I keep losing access when I switch devices.",
            "The six-digit code from my authenticator is always rejected when I log in on {browser}.",
        ],
        details=[
            "I still have the backup codes somewhere, I think.",
            "I'm the only admin in our workspace.",
            "I use the authenticator app on my {device}.",
        ],
        answers=[
            "You can sign in with one of the backup codes you saved when you enabled two-factor authentication; each code works once. After signing in, open Settings, then Security, and choose Reset authenticator to pair the app on your new phone. If you no longer have the backup codes, reply here and I will start an identity check so our team can reset it for you.",
            "Codes are usually rejected when the clock on the phone and on our servers drift apart. In your authenticator app, use the time-correction option, then try a fresh code. If that does not work, sign in with a backup code and re-pair the app from Settings, then Security.",
            "Two-factor authentication can be switched off under Settings, then Security, but workspace admins can require it for everyone, in which case the option is greyed out. A more convenient approach is to add a second method, such as a hardware key, so changing phones never locks you out.",
        ],
        followups=[
            ("What if I lost the backup codes too?", "Then we verify your identity through your workspace owner or the billing contact before resetting two-factor authentication. It usually takes less than one working day."),
            ("Can I store the backup codes in Taskflow itself?", "I would not recommend it, because you need them precisely when you cannot sign in. A password manager or a printed copy kept somewhere safe is better."),
        ],
    ),
    Scenario(
        "api_rate_limit",
        match=((0, 1), (0, 1), (2,)),
        asks=[
            "Our script that syncs tasks through the Taskflow API started failing with HTTP 429 errors this week. What are the limits?",
            "Why am I getting \"Too Many Requests\" from the API when I only run a sync every five minutes?",
            "Is there a way to raise the API rate limit for our workspace? We import a lot of tasks at night.",
        ],
        details=[
            "We have around {n_projects} projects.",
            "The script runs on a single server.",
            "It uses the REST endpoints, not webhooks.",
        ],
        answers=[
            "Each token can make a limited number of requests per minute, and the limit is shared by every script using that token. A 429 response includes a Retry-After header with the number of seconds to wait, so the most reliable fix is to respect that header and back off. For large syncs, the bulk endpoints accept up to one hundred tasks per request, which cuts the number of calls dramatically.",
            "A sync every five minutes can still hit the limit if it lists every task in every project each time. Use the updated_since parameter so each run only fetches what changed since the previous run, and you will stay far below the limit. The response headers also tell you how many requests remain in the current window.",
            "Limits can be raised on the {plan} plan for workloads like nightly imports. I have opened a request with our platform team; they will want to know the rough number of requests per night. Meanwhile, switching to webhooks for changes and the bulk endpoints for imports usually solves the problem without a higher limit.",
        ],
        followups=[
            ("Does the limit apply per user or per workspace?", "Per token. If several integrations share one token, they share the limit, so giving each integration its own token spreads the load."),
            ("Is there an official client library that handles retries?", "Yes, the Python and JavaScript clients retry automatically on 429 with the delay from the Retry-After header."),
        ],
    ),
    Scenario(
        "webhook",
        match=SAME,
        asks=[
            "Our webhook endpoint stopped receiving task events from Taskflow yesterday. Nothing changed on our side as far as I know.",
            "How do I verify that webhook requests really come from Taskflow?",
            "Webhooks are delivered twice sometimes. Is that expected?",
        ],
        details=[
            "The endpoint is behind a load balancer.",
            "We're using the task.updated and task.completed events.",
            "Our endpoint is a small Flask service.",
        ],
        answers=[
            "Taskflow disables a webhook after repeated failed deliveries to protect your server. Open Settings, then Integrations, then Webhooks, and you will see the status and the last error. Once the endpoint answers with a 2xx status again, click Re-enable, and the deliveries that failed in the last seventy-two hours can be replayed from the same page.",
            "Every request carries a signature header: an HMAC-SHA256 of the raw body with your webhook secret. Compute the same value on your side and compare the two with a constant-time comparison. Also check the timestamp header and reject requests older than five minutes to prevent replays.",
            "Yes, delivery is at least once, so occasional duplicates are expected, for example after a timeout. Each event has a unique event id; store the ids you have processed and skip any you have already seen. That makes your handler safe even if we retry.",
        ],
        followups=[
            ("How long do you wait for our endpoint to respond?", "Ten seconds. If your processing takes longer, acknowledge the request first and handle the event in a background job."),
            ("Can I get a test event without creating a real task?", "Yes, the webhook page has a Send test event button that delivers a sample payload to your endpoint."),
        ],
    ),
    Scenario(
        "export_data",
        match=SAME,
        asks=[
            "How can I export all tasks from a project to CSV? I need them for a quarterly report.",
            "We're leaving Taskflow at the end of the month. Can we get a full export of our workspace, including comments and attachments?",
            "The CSV export cuts off at a certain number of rows. Is there a way to export everything?",
        ],
        details=[
            "The project has a few thousand tasks.",
            "I need the custom fields included.",
            "Excel is what our finance team uses.",
        ],
        answers=[
            "Open the project, click the three-dot menu next to its name, and choose Export, then CSV. The export includes custom fields and respects your current filters, so clear any filter first if you want everything. Large exports are prepared in the background and emailed to you as a download link.",
            "Workspace owners can request a full export under Settings, then Workspace, then Export data. It produces a ZIP with JSON files for projects, tasks and comments, plus every attachment in its original format. Exports of big workspaces can take a few hours, and the link stays valid for seven days.",
            "The quick export in the list view is capped for speed, but the project export is not. Use the project menu, then Export, and pick CSV with all columns. If the file is very large, Excel may warn about the row count, but nothing is truncated in the file itself.",
        ],
        followups=[
            ("Are archived tasks included in the export?", "Only if you tick Include archived in the export dialog. It is off by default to keep exports small."),
            ("Can I schedule this export every month?", "Not from the app directly, but the API has an export endpoint you can call from a scheduled job, and it returns the same CSV."),
        ],
    ),
    Scenario(
        "seats_billing",
        match=SAME,
        fu_match=((0, 1), (0,), (0,)),
        asks=[
            "We removed three people from our workspace, but the invoice still charges for the same number of seats. Why?",
            "How does billing work if I add a new member halfway through the month on the {plan} plan?",
            "Can you switch our subscription from monthly to annual billing?",
        ],
        details=[
            "I'm the billing owner.",
            "We pay by card.",
            "Our next renewal is in a couple of weeks.",
        ],
        answers=[
            "Removing members frees their seats, but the number of paid seats only goes down when you lower it under Settings, then Billing, then Seats. Until then the empty seats stay reserved for new invites. Once you reduce it, the next invoice reflects the change, and any unused time is credited to your account.",
            "New members are charged pro rata: you pay only for the remaining days of the current billing period, and the full amount from the next period on. The prorated charge appears as a separate line on your next invoice, so nothing is charged immediately.",
            "Yes. Go to Settings, then Billing, and choose Change billing cycle. The annual plan starts at your next renewal date, so you will not be charged twice, and the remaining monthly period is simply used up first. You will see the new amount on the confirmation screen before you confirm.",
        ],
        followups=[
            ("Can we get invoices addressed to our finance department?", "Yes, add a billing email under Settings, then Billing. Invoices will be sent there as well as to the billing owner."),
            ("What happens to the data of the removed members?", "Their tasks and comments stay in the workspace. Only their access is removed, and you can reassign their open tasks from the Members page."),
        ],
    ),
    Scenario(
        "integration",
        match=((2,), (1,), (0,)),
        fu_match=((0, 1), (1,), (1,)),
        asks=[
            "I connected the {integration} integration, but notifications aren't showing up in the channel I selected.",
            "Is it possible to sync Taskflow due dates with {integration}? I'd like deadlines to show up there automatically.",
            "After someone left the company, our {integration} integration stopped working. Any idea why?",
        ],
        details=[
            "I'm an admin on both sides.",
            "It worked fine last month.",
            "Other integrations are still working normally.",
        ],
        answers=[
            "Integrations are authorised by the person who connected them, so if that account loses access, the connection breaks. Go to Settings, then Integrations, open {integration}, and choose Reconnect with an account that still has access. Your existing rules and mappings are kept when you reconnect.",
            "Yes. In Settings, then Integrations, open {integration} and enable due date sync for the projects you want. Changes in Taskflow appear within a minute or two, and you can choose whether completed tasks are removed or kept.",
            "The most common cause is that the selected channel is private and the Taskflow app was never invited to it. Add the app to the channel from {integration} itself, then send a test notification from the integration page in Taskflow to confirm that it works.",
        ],
        followups=[
            ("Can different projects post to different channels?", "Yes, each project can have its own destination. Set it on the project's Integrations tab rather than the workspace-wide settings."),
            ("Does the integration work on the free plan?", "The basic notifications do, but syncing due dates and two-way updates need the {plan} plan or higher."),
        ],
    ),
    Scenario(
        "mobile_crash",
        match=SAME,
        fu_match=((0, 1), (1,), (1,)),
        asks=[
            "The Taskflow app on my {device} crashes as soon as I open a project since the update to version {app_version}.",
            "Since this morning the mobile app shows a blank screen after the splash screen on my {device}. I'm on version {app_version}.",
            "Push notifications stopped working on my {device} after the latest update. Is this a known issue?",
        ],
        details=[
            "I already restarted the phone.",
            "The web version works fine on my laptop.",
            "Reinstalling did not help.",
        ],
        answers=[
            "Thank you for the report. Version {app_version} has a known issue with projects that contain very large attachments on some devices, and a fix is already in review with the app store. Until it is released, you can open the affected project on the web, or turn off Preview attachments in the app settings, which avoids the crash.",
            "A blank screen after an update usually means the local cache is out of date. On your {device}, open the system settings, find Taskflow, clear its cache (not the data), and reopen the app. You will stay signed in and nothing stored on our servers is affected.",
            "Notifications are sometimes switched off by the system after an update. Check that notifications are allowed for Taskflow in your phone's settings, then open the app and go to Profile, then Notifications, and toggle them off and on once. That re-registers your device for push messages.",
        ],
        followups=[
            ("How will I know when the fixed version is out?", "The release notes in the app store will mention it, and I will also update this conversation when it is published."),
            ("Can I send you logs to help?", "Yes, go to Profile, then Help, then Send diagnostics. It attaches a log to this conversation without any task content."),
        ],
    ),
    Scenario(
        "permissions",
        match=SAME,
        fu_match=((0, 1), (), (0, 1)),
        asks=[
            "How can I give a contractor access to one project without letting them see the rest of our workspace?",
            "A member of my team can't edit tasks in a project even though they are in the workspace. What am I missing?",
            "What's the difference between the Member and Guest roles in Taskflow?",
        ],
        details=[
            "The contractor uses their own company email.",
            "They can see the project but everything is read-only.",
            "We're on the {plan} plan.",
        ],
        answers=[
            "Invite the contractor as a Guest and add them only to that project. Guests see nothing outside the projects they are added to, cannot browse the member list, and do not count as paid seats up to a limit that depends on your plan.",
            "Project permissions override workspace roles. Open the project, go to Share, and check the person's access level; it is probably set to Can view. Change it to Can edit and they will be able to update tasks straight away, without signing out.",
            "Members can see every public project in the workspace and create new ones. Guests only see projects they are explicitly invited to, and cannot create projects or invite others. Guests are meant for clients and contractors.",
        ],
        followups=[
            ("Can I remove the guest's access automatically when the contract ends?", "Yes, when you invite a guest you can set an access expiry date. After that date they are removed from the project automatically."),
            ("Will the guest see comments in the project?", "Yes, guests see everything inside the projects they belong to, including comments and attachments."),
        ],
    ),
    Scenario(
        "recurring_tasks",
        match=SAME,
        asks=[
            "How do I make a task repeat every second Monday?",
            "My recurring task created duplicates this week, there are now three copies of the same weekly report task.",
            "Is it possible to have a recurring task that restarts only after the previous one is completed?",
        ],
        details=[
            "I set it up on the web app.",
            "The task has a checklist that should reset each time.",
            "Several people are assigned to it.",
        ],
        answers=[
            "Open the task, click the due date, and choose Repeat. Select Weekly, set the interval to every two weeks, and pick Monday. The next copy is created when the current one is completed, or on schedule if you choose Repeat on a fixed schedule.",
            "Duplicates happen when a recurring task is completed and then reopened, because each completion creates the next copy. You can safely delete the extra copies. To avoid it in future, use Undo completion straight after completing it by mistake rather than reopening it later.",
            "Yes, choose Repeat after completion in the repeat options. The next task is then created with a due date counted from the day you completed the previous one, and the checklist is reset on every copy.",
        ],
        followups=[
            ("Can the repeating task be assigned to different people in rotation?", "Not automatically yet, but you can use an automation rule to change the assignee each time a copy is created."),
            ("Will comments be copied to the new task?", "No, each copy starts with a fresh comment thread. The description and checklist are copied."),
        ],
    ),
    Scenario(
        "import_tool",
        match=SAME,
        asks=[
            "We want to move from Trello to Taskflow. Does the importer keep labels and due dates?",
            "I imported a CSV of tasks but all the assignees came through empty. What did I do wrong?",
            "Can I import tasks from a spreadsheet into an existing project instead of a new one?",
        ],
        details=[
            "We have roughly {n_projects} projects to bring over.",
            "The CSV came from our old tool.",
            "Some tasks have subtasks.",
        ],
        answers=[
            "The Trello importer keeps labels, due dates, checklists, comments and attachments. Lists become sections and cards become tasks. Members are matched by email address, so invite your team to Taskflow before you import and their cards will be assigned correctly.",
            "Assignees are matched by email address, not by name. Make sure the assignee column contains the email each person uses in Taskflow, and that they have accepted their invitation. Then run the import again; it updates the existing tasks instead of creating duplicates when you keep the ID column.",
            "Yes. Open the project, use the three-dot menu, and choose Import, then CSV. You map each column to a field in the next step, and new tasks are added to the end of the project.",
        ],
        followups=[
            ("Is there a limit to how many tasks I can import at once?", "The importer handles up to ten thousand rows per file. For larger imports, split the file or use the API."),
            ("Can I undo an import if the mapping was wrong?", "Yes, for twenty-four hours the import history page has an Undo import button that removes everything that import created."),
        ],
    ),
    Scenario(
        "timezone",
        match=SAME,
        asks=[
            "Due dates in Taskflow show up a day early for my colleague in {city}. Is this a time zone setting?",
            "Our reminder emails arrive at 3 a.m. instead of 9 a.m. How do I fix that?",
            "How do I change the time zone for the whole workspace?",
        ],
        details=[
            "We're spread across three countries.",
            "My computer's clock is correct.",
            "This started after daylight saving time changed.",
        ],
        answers=[
            "Each person has their own time zone under Profile, then Preferences. If it is still set to the default, due dates with a time are shown in the wrong zone and can appear a day early. Ask your colleague to pick their city there, and the dates will display correctly.",
            "Reminder times use the time zone in your profile, not your computer's. Go to Profile, then Preferences, select your time zone, and the next reminder will arrive at the right time. Tick Detect automatically if you travel often.",
            "There is no single workspace time zone, because everyone sees dates in their own. Admins can set the default for new members under Settings, then Workspace, which helps when most of the team is in one place.",
        ],
        followups=[
            ("Do all-day tasks move when time zones change?", "No, all-day tasks stay on the same date everywhere. Only tasks with a specific time are converted."),
            ("Will the API return dates in UTC?", "Yes, the API always uses UTC in ISO 8601 format, so convert on your side as needed."),
        ],
    ),
    Scenario(
        "delete_account",
        match=SAME,
        asks=[
            "Please delete my Taskflow account and all my personal data. I no longer use the service.",
            "What data do you keep after I close my account?",
            "I want to leave my company's workspace but keep my personal projects. Is that possible?",
        ],
        details=[
            "I signed up with my work email.",
            "I also have a personal workspace.",
            "I'd like a confirmation once it's done.",
        ],
        answers=[
            "You can delete your account under Profile, then Account, then Delete account. If you are the only owner of a workspace, you will be asked to transfer ownership or delete that workspace first. Personal data is erased within thirty days, and you will receive a confirmation email when it is done.",
            "After closing an account we keep only what we are legally required to, such as invoices for paid plans, for the period the law requires. Tasks and comments you created in a shared workspace remain there, shown as written by a former member.",
            "Yes, you can leave a workspace without deleting your account. Before leaving, move your personal projects to your own workspace with the Move project option; anything left behind stays with the company workspace.",
        ],
        followups=[
            ("Can I download my data before deleting?", "Yes, use Profile, then Account, then Download my data. It produces a ZIP with everything linked to your account."),
            ("Will my colleagues be notified?", "No, there is no notification. Your name is simply shown as a former member on items you created."),
        ],
    ),
]


def slots(rng: random.Random) -> dict[str, object]:
    return {
        "device": rng.choice(DEVICES),
        "browser": rng.choice(BROWSERS),
        "integration": rng.choice(INTEGRATIONS),
        "plan": rng.choice(PLANS),
        "app_version": f"{rng.randint(3, 5)}.{rng.randint(0, 19)}.{rng.randint(0, 9)}",
        "n_projects": rng.randint(12, 80),
        "order": f"TF-{rng.randint(10000, 99999)}",
    }
