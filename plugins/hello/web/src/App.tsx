// The hello UI: one screen with the greeting and the recent deployment events.
import { Page, PageHeader } from "@temps-bundle/kit";
import { EventsCard } from "./EventsCard.tsx";
import { GreetingCard } from "./GreetingCard.tsx";

export function App() {
  return (
    <Page>
      <PageHeader title="Hello" description="The example member: a greeting, a visit counter and the deployment events it received." />
      <GreetingCard />
      <EventsCard />
    </Page>
  );
}
